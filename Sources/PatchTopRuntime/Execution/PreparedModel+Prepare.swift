import PatchTopModel

extension PreparedModel {
    /// Turns one op into a step (see `OpPreparer`).
    static func prepare(_ op: Operator, _ model: Model) throws(RuntimeError) -> Step {
        try OpPreparer(op: op, model: model).step()
    }
}
