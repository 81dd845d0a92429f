extension AppState {
    /// `./patchtop-mbv2-w0.35-r144-p3-n13-tflm-firmware`: the folder `x`
    /// exports the plan to as C (a `-2`… suffix is added when it exists).
    public var firmwareExportPath: String {
        let report = exportPath
        return String(report.dropLast(".txt".count)) + "-firmware"
    }
}
