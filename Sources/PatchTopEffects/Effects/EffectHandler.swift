import PatchTopReports
import Foundation
import PatchTopModel
import PatchTopPlan
import PatchTopRuntime
import PatchTopUI

/// Performs the effects `update` asks for and answers with messages in its
/// inbox: runs go to the background runner, step-mode work to the step
/// worker, exports are written at once (they are small). The terminal
/// loop, `report --run` and the tests share it through `AppLoop`.
public final class EffectHandler: EffectPerformer {
    public let inbox = Inbox()
    private var runner: BackgroundRunner?
    private var stepper: StepWorker?
    private let profile: ProfileLog?
    private let submitted = SubmitTimes()
    private let sweepModel: Model?
    private let sweepQueue = DispatchQueue(label: "patchtop-sweep")

    /// - Parameters:
    ///   - planRunner: runs plans in the background; `nil` turns runs off.
    ///   - makeStepDriver: opens step-through sessions; `nil` makes step mode say it is unavailable.
    ///   - sweepModel: the model `sweep` effects sweep (after `m`); `nil` ignores them.
    public init(planRunner: (any PlanRunner)?, makeStepDriver: (@Sendable (RunRequest) throws -> any StepDriver)? = nil,
                sweepModel: Model? = nil, profile: ProfileLog? = nil) {
        self.profile = profile
        self.sweepModel = sweepModel
        let inbox = inbox
        if let makeStepDriver {
            stepper = StepWorker(open: makeStepDriver) { inbox.post($0) }
        }
        if let planRunner {
            let profile = profile, submitted = submitted
            var onSuperseded: (@Sendable (RunRequest, Bool) -> Void)?
            if let profile {
                onSuperseded = { @Sendable request, ranToEnd in
                    var after = ""
                    if let ms = submitted.elapsed(since: request.generation) { after = " \(ProfileLog.ms(ms)) ms after its key" }
                    let what = ranToEnd ? "finished but superseded, dropped" : "stopped early, superseded"
                    profile.log("run \(request.label) gen \(request.generation) \(what)\(after)")
                }
            }
            runner = BackgroundRunner(runner: planRunner, onSuperseded: onSuperseded) { message in
                if let profile, case .runFinished(let summary) = message {
                    let request = summary.request
                    let latency = submitted.elapsed(since: request.generation).map { ", key to result \(ProfileLog.ms($0)) ms" } ?? ""
                    profile.log("run \(request.label) gen \(request.generation) inference \(ProfileLog.ms(summary.milliseconds)) ms\(latency) \(summary.identical ? "identical" : "DIFFERS")")
                }
                inbox.post(message)
            }
        }
    }

    deinit { runner?.stop() }

    /// Performs `effect` for `state` (the state `update` just returned).
    public func perform(_ effect: Effect, in state: AppState) {
        switch effect {
        case .run(let request):
            submitted.record(request.generation)
            runner?.submit(request)
        case .export(let path, let report):
            // The date the file is written, not when PatchTop started.
            let stamped = report.replacingOccurrences(of: ReportRenderer.writeTimePlaceholder,
                                                      with: ISO8601DateFormatter().string(from: Date()))
            switch ReportFile.writeNew(stamped, near: path) {
            case .success(let written): inbox.post(.exported(path: written))
            case .failure(let error): inbox.post(.exportFailed(path: path, reason: error.reason))
            }
        case .exportFirmware(let request, let folder):
            guard let model = sweepModel else { return inbox.post(.exportFailed(path: folder, reason: "no model to export")) }
            let inbox = inbox
            sweepQueue.async {
                switch FirmwareExport.export(model, request, near: folder) {
                case .success(let written): inbox.post(.exported(path: written))
                case .failure(let failure): inbox.post(.exportFailed(path: failure.path, reason: failure.reason))
                }
            }
        case .sweep(let options):
            guard let model = sweepModel else { return }
            let inbox = inbox
            // Each plan's instructions are predicted here, off the input thread.
            let cost = state.latency?.model
            sweepQueue.async {
                inbox.post(.swept(ParetoData(Sweep(model: model, options: options, cost: cost.map { .instructions($0) } ?? .macs), options: options)))
            }
        case .multiStageSearch(let options):
            guard let model = sweepModel else { return }
            let inbox = inbox
            let cost = state.latency?.model
            sweepQueue.async {
                // With a target the search itself is on predicted instructions (the chart's axis).
                let search = MultiStageSearch(model: model, options: options, cost: cost.map { .instructions($0) } ?? .macs)
                inbox.post(.multiStageSwept(MultiStageFront(search, cost: cost)))
            }
        case .stepStart(let request, let resume):
            guard let stepper else {
                inbox.post(.stepFailed(reason: "step-through needs the runtime's resumable session (not available in this build)"))
                return
            }
            stepper.start(request, resume: resume)
        case .step(let command):
            stepper?.perform(command)
        case .stepStop:
            stepper?.close()
        }
    }

    public func perform(_ effects: [Effect], in state: AppState) {
        for effect in effects { perform(effect, in: state) }
    }

    public func takeMessages() -> [Message] { inbox.drain() }

    public func waitForMessages(seconds: Double) -> [Message] { inbox.wait(seconds: seconds) }

    /// Waits until the step worker has done every command queued so far (tests).
    public func waitForSteps() { stepper?.drain() }

    /// Stops the background worker (after its current run).
    public func stop() { runner?.stop() }
}

/// When each run generation was asked for, to log key-to-result latency.
private final class SubmitTimes: @unchecked Sendable {
    private let lock = NSLock()
    private var times: [Int: ContinuousClock.Instant] = [:]

    func record(_ generation: Int) {
        lock.lock()
        times[generation] = ContinuousClock.now
        if times.count > 64, let oldest = times.keys.min() { times[oldest] = nil }
        lock.unlock()
    }

    func elapsed(since generation: Int) -> Double? {
        lock.lock()
        defer { lock.unlock() }
        return times[generation].map { (ContinuousClock.now - $0).milliseconds }
    }
}
