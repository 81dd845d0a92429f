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
