import Foundation
import PatchTopUI

/// Messages from other threads (background runs) waiting for the input
/// loop, which drains them between key presses.
public final class Inbox: @unchecked Sendable {
    private let condition = NSCondition()
    private var messages: [Message] = []

    public init() {}

    public func post(_ message: Message) {
        condition.lock()
        messages.append(message)
        condition.broadcast()
        condition.unlock()
    }

    /// Everything posted so far, oldest first; never waits.
    public func drain() -> [Message] {
        condition.lock()
        defer { condition.unlock() }
        let out = messages
        messages.removeAll()
        return out
    }

    /// Waits until something is posted or `seconds` pass, then drains.
    public func wait(seconds: Double) -> [Message] {
        let deadline = Date(timeIntervalSinceNow: seconds)
        condition.lock()
        while messages.isEmpty, condition.wait(until: deadline) {}
        let out = messages
        messages.removeAll()
        condition.unlock()
        return out
    }
}
