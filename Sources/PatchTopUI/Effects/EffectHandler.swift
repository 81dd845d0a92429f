import Foundation
import PatchTopModel
import PatchTopRuntime

/// Performs the effects `update` asks for and answers with messages: runs
/// go to the background runner, exports and steps happen at once. The
/// terminal loop, the headless tests and the end-to-end binary share it.
public final class EffectHandler {
    public let inbox = Inbox()
    private var runner: BackgroundRunner?
    private let makeStepDriver: ((RunRequest) throws(RuntimeError) -> any StepDriver)?
    private var stepDriver: (any StepDriver)?
    private let profile: ProfileLog?
    private let submitted = SubmitTimes()
    /// The date written into exported reports (a fixed one in tests).
    public var date: () -> String

    /// - Parameters:
    ///   - engine: runs plans in the background; `nil` turns runs off.
    ///   - makeStepDriver: opens step-through sessions; `nil` makes step mode say it is unavailable.
    public init(engine: (any RunEngine)?, makeStepDriver: ((RunRequest) throws(RuntimeError) -> any StepDriver)? = nil,
                profile: ProfileLog? = nil, date: @escaping () -> String = { ISO8601DateFormatter().string(from: Date()) }) {
        self.makeStepDriver = makeStepDriver
        self.profile = profile
        self.date = date
        if let engine {
            let inbox = inbox, profile = profile, submitted = submitted
            var onSuperseded: (@Sendable (RunRequest, Bool) -> Void)?
            if let profile {
                onSuperseded = { @Sendable request, ranToEnd in
                    var after = ""
                    if let ms = submitted.elapsed(since: request.generation) { after = " \(ProfileLog.ms(ms)) ms after its key" }
                    let what = ranToEnd ? "finished but superseded, dropped" : "stopped early, superseded"
                    profile.log("run p=\(request.patches) n=\(request.patchLayers) gen \(request.generation) \(what)\(after)")
                }
            }
            runner = BackgroundRunner(engine: engine, onSuperseded: onSuperseded) { message in
                if let profile, case .runFinished(let summary) = message {
                    let request = summary.request
                    let latency = submitted.elapsed(since: request.generation).map { ", key to result \(ProfileLog.ms($0)) ms" } ?? ""
                    profile.log("run p=\(request.patches) n=\(request.patchLayers) gen \(request.generation) inference \(ProfileLog.ms(summary.milliseconds)) ms\(latency) \(summary.identical ? "identical" : "DIFFERS")")
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
        case .export(let path):
            let text = ReportRenderer(state: state, view: .all, width: state.width, height: state.height, date: date()).render()
            switch ReportFile.write(text, to: path) {
            case .success: inbox.post(.exported(path: path))
            case .failure(let error): inbox.post(.exportFailed(path: path, reason: error.reason))
            }
        case .stepStart(let request):
            stepDriver = nil
            guard let makeStepDriver else {
                inbox.post(.stepFailed(reason: "step-through needs the runtime's resumable session (not available in this build)"))
                return
            }
            do throws(RuntimeError) {
                let driver = try makeStepDriver(request)
                stepDriver = driver
                inbox.post(.stepped(driver.snapshot()))
            } catch {
                inbox.post(.stepFailed(reason: error.description))
            }
        case .stepNext:
            guard var driver = stepDriver else { return }
            do throws(RuntimeError) {
                let snapshot = try driver.step()
                stepDriver = driver
                inbox.post(.stepped(snapshot))
            } catch {
                stepDriver = driver
                inbox.post(.stepFailed(reason: error.description))
            }
        case .stepStop:
            stepDriver = nil
        }
    }

    /// Performs every effect in order.
    public func perform(_ effects: [Effect], in state: AppState) {
        for effect in effects { perform(effect, in: state) }
    }

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
