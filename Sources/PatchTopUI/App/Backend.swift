/// Where the app's frames go and its input comes from: the ncurses
/// terminal, or a headless screen for `report --run` and the tests. The
/// loop (`AppLoop`) is the same for all of them.
public protocol Backend: AnyObject {
    /// The screen's size now.
    var size: (width: Int, height: Int) { get }
    /// Shows one frame.
    func draw(_ grid: CellGrid)
    /// The next input event, after waiting briefly (a few tens of
    /// milliseconds) for one; `nil` when there was none.
    func nextMessage() -> Message?
}

/// Performs the effects `update` asks for, off the input thread where they
/// are slow, and hands back the messages they answer with.
public protocol EffectPerformer: AnyObject {
    /// Starts (or does) every effect in order, for `state` (the state `update` just returned).
    func perform(_ effects: [Effect], in state: AppState)
    /// Messages the effects have posted so far, oldest first; never waits.
    func takeMessages() -> [Message]
    /// Waits until an effect posts a message or `seconds` pass.
    func waitForMessages(seconds: Double) -> [Message]
    /// Stops background work; called once when the loop ends.
    func stop()
}

/// A backend with no terminal: it keeps the last frame and replays the
/// input it was given. `report --run` and the tests drive the loop with it.
public final class HeadlessBackend: Backend {
    public var size: (width: Int, height: Int)
    public private(set) var lastFrame: CellGrid?
    public private(set) var frames = 0
    private var input: [Message]

    public init(width: Int, height: Int, input: [Message] = []) {
        size = (width, height)
        self.input = input
    }

    public func draw(_ grid: CellGrid) {
        lastFrame = grid
        frames += 1
    }

    public func nextMessage() -> Message? {
        input.isEmpty ? nil : input.removeFirst()
    }

    /// Queues more input.
    public func type(_ messages: [Message]) { input += messages }
}
