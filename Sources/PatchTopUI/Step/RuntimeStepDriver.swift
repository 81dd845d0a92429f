import PatchTopModel
import PatchTopRuntime

/// Opens step-through sessions on the runtime for `model`; `nil` while the
/// runtime has no resumable session to step.
public func stepDriverFactory(_ model: Model) -> ((RunRequest) throws(RuntimeError) -> any StepDriver)? {
    nil
}
