import PatchTopReports
/// The Elm loop: message → `update` → effects → render → draw. The
/// terminal, `report --run` and the tests all run the app through this one
/// loop, so none of them can drift from what the others do.
public final class AppLoop {
    public private(set) var state: AppState
    public let backend: any Backend
    public let effects: any EffectPerformer
    /// Receives one line per frame (`frame key(P) update … render … draw …`) when set.
    private let log: ((String) -> Void)?
    private let clock = ContinuousClock()

    public init(state: AppState, backend: any Backend, effects: any EffectPerformer, log: ((String) -> Void)? = nil) {
        self.state = state
        self.backend = backend
        self.effects = effects
        self.log = log
    }

    /// Handles one message: the new state, its effects started, a frame drawn.
    public func send(_ message: Message) {
        let start = clock.now
        let (next, requested) = updateWithEffects(state, message)
        state = next
        effects.perform(requested, in: state)
        let updated = clock.now
        let grid = Screen.render(state, width: state.width, height: state.height, layout: state.layout)
        let rendered = clock.now
        backend.draw(grid)
        if let log {
            let drawn = clock.now
            log("frame \(Self.label(message)) update \(ms(updated - start)) ms render \(ms(rendered - updated)) ms draw \(ms(drawn - rendered)) ms")
        }
    }

    /// Opens the app at the backend's size and starts its first run.
    public func open() {
        let size = backend.size
        send(.resize(width: size.width, height: size.height))
        send(.start)
    }

    /// The interactive loop: input and effect results, in arrival order,
    /// until the state asks to quit. Effect results are taken between
    /// inputs, so a background run never blocks a key.
    public func run() {
        open()
        defer { effects.stop() }
        while !state.shouldQuit {
            let answers = effects.takeMessages()
            if !answers.isEmpty {
                for message in answers where !state.shouldQuit { send(message) }
                continue
            }
            if let message = backend.nextMessage() { send(message) }
        }
    }

    /// Headless: delivers the effects' answers until `done` holds for the
    /// state or `timeout` seconds pass; whether `done` held.
    @discardableResult
    public func settle(timeout: Double, until done: (AppState) -> Bool) -> Bool {
        let end = clock.now + .milliseconds(Int(timeout * 1000))
        while !done(state) {
            let left = end - clock.now
            guard left > .zero else { return false }
            for message in effects.waitForMessages(seconds: min(0.05, left.milliseconds / 1000)) { send(message) }
        }
        return true
    }

    private func ms(_ duration: Duration) -> String { formatFixed(duration.milliseconds, decimals: 2) }

    /// `key(P)`, `resize`, `runFinished` in profile lines.
    public static func label(_ message: Message) -> String {
        switch message {
        case .key(.char(let c)): "key(\(c == " " ? "Space" : String(c)))"
        case .key(let key): "key(\(key))"
        default: "\(message)".prefix { $0 != "(" }.description
        }
    }
}

extension Duration {
    /// The duration in (fractional) milliseconds.
    public var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}
