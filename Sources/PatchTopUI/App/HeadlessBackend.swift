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
