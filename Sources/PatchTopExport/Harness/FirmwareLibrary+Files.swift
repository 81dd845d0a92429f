extension FirmwareLibrary {
    /// A library from its files, arena and manifest as given: a hand-written
    /// library implementing the export's C API (the harness's tests), or one
    /// read back from an export folder.
    public init(files: [String: String], arenaBytes: Int, manifest: ExportManifest) {
        self.files = files
        self.arenaBytes = arenaBytes
        self.manifest = manifest
        notes = []
    }
}
