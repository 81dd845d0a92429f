// swift-tools-version: 6.1
import PackageDescription

/// The kernels, the patch executor, the planner and the graph are the hot
/// path of every test and of the TUI's live re-runs. Swift's unoptimised
/// code is ~50× slower on them, which would make the bit-exactness tests on
/// real MobileNets and the tests that plan and lay out every (p, n) take
/// minutes, so those targets are optimised in debug builds too (overflow
/// checks stay on: `-O`, not `-Ounchecked`).
let optimisedEvenInDebug: [SwiftSetting] = [
    .unsafeFlags(["-O"], .when(configuration: .debug)),
]

/// The C kernels are the hot loops of every run; like the Swift targets
/// above they are optimised in debug builds too. They are compiled for the
/// architecture's baseline: the AVX2 functions carry their own target
/// attribute and run only when the CPU reports AVX2 (see KernelPath). No
/// float multiply and add may fuse: TFLite Micro's float kernels round each.
let optimisedC: [CSetting] = [
    .unsafeFlags(["-O2", "-ffp-contract=off"]),
]

let package = Package(
    name: "PatchTop",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "patchtop", targets: ["patchtop"]),
        .library(name: "PatchTopModel", targets: ["PatchTopModel"]),
        .library(name: "PatchTopPlan", targets: ["PatchTopPlan"]),
        .library(name: "PatchTopRuntime", targets: ["PatchTopRuntime"]),
        .library(name: "PatchTopReports", targets: ["PatchTopReports"]),
        .library(name: "PatchTopUI", targets: ["PatchTopUI"]),
        .library(name: "PatchTopEffects", targets: ["PatchTopEffects"]),
        .library(name: "PatchTopExport", targets: ["PatchTopExport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // .tflite bytes → graph IR → activation memory profile.
        .target(name: "PatchTopModel", swiftSettings: optimisedEvenInDebug),
        // Receptive fields, patch regions, patched memory and MACs, sweeps.
        .target(
            name: "PatchTopPlan",
            dependencies: ["PatchTopModel"],
            resources: [.copy("Latency/Resources/latency-calibration.json")],
            swiftSettings: optimisedEvenInDebug
        ),
        // int8 kernels, the arena, layer-by-layer and patch executors.
        .target(
            name: "PatchTopRuntime",
            dependencies: ["PatchTopModel", "PatchTopPlan", "CPatchTopKernels"],
            swiftSettings: optimisedEvenInDebug
        ),
        // The vector kernels (AVX2 intrinsics) behind the runtime's kernel
        // interface, chosen at run time from the CPU's features.
        .target(name: "CPatchTopKernels", cSettings: optimisedC),
        // The text and JSON of `analyze`, `plan` and `sweep`, and the words
        // (byte formats, verdicts, layer rows) every view and report shares.
        .target(name: "PatchTopReports", dependencies: ["PatchTopModel", "PatchTopPlan"]),
        // A plan as a C library for a microcontroller (Library/), and the
        // harness that builds it for QEMU's Cortex-M boards, runs it and
        // checks it against the runtime (Harness/).
        .target(
            name: "PatchTopExport",
            dependencies: ["PatchTopModel", "PatchTopPlan", "PatchTopRuntime"],
            resources: [.copy("Resources")]
        ),
        // The pure part of the TUI: state, messages, update, views into a
        // cell grid, and the loop that ties them to a backend. No threads,
        // no files, no inference.
        .target(name: "PatchTopUI", dependencies: ["PatchTopModel", "PatchTopPlan", "PatchTopReports"]),
        // What the TUI's effects do: background runs, the step-through
        // driver, exports and profile logs on disk.
        .target(name: "PatchTopEffects", dependencies: ["PatchTopModel", "PatchTopPlan", "PatchTopRuntime", "PatchTopUI", "PatchTopExport"]),
        // The only code that talks to the terminal.
        .systemLibrary(name: "CNCurses", providers: [.apt(["libncurses-dev"])]),
        .target(name: "PatchTopTerminal", dependencies: ["CNCurses", "PatchTopUI"]),
        // Argument parsing and wiring only.
        .executableTarget(
            name: "patchtop",
            dependencies: [
                "PatchTopModel", "PatchTopPlan", "PatchTopRuntime", "PatchTopReports", "PatchTopUI", "PatchTopEffects", "PatchTopTerminal",
                "PatchTopExport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "PatchTopModelTests", dependencies: ["PatchTopModel", "PatchTopPlan"]),
        .testTarget(name: "PatchTopReportsTests", dependencies: ["PatchTopModel", "PatchTopPlan", "PatchTopReports"]),
        // TinyEngine/Measured/ holds the PEAK_MEM figures TinyEngine's code generator computed.
        .testTarget(
            name: "PatchTopPlanTests",
            dependencies: ["PatchTopPlan", "PatchTopRuntime"],
            resources: [.copy("TinyEngine/Measured")]
        ),
        .testTarget(
            name: "PatchTopRuntimeTests",
            dependencies: ["PatchTopRuntime", "PatchTopReports", "PatchTopUI"],
            swiftSettings: optimisedEvenInDebug
        ),
        // Snapshots/ holds the expected text of the view snapshot tests, read from the source tree.
        .testTarget(
            name: "PatchTopUITests",
            dependencies: ["PatchTopModel", "PatchTopPlan", "PatchTopRuntime", "PatchTopReports", "PatchTopUI", "PatchTopEffects"],
            exclude: ["Snapshots"]
        ),
        // Fixtures/ holds a hand-written library implementing the export's C API.
        .testTarget(
            name: "PatchTopExportTests",
            dependencies: ["PatchTopModel", "PatchTopPlan", "PatchTopRuntime", "PatchTopExport"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "PatchTopEndToEndTests",
            dependencies: ["PatchTopModel", "PatchTopPlan", "PatchTopReports", "PatchTopUI", "PatchTopEffects", "PatchTopTerminal", "patchtop"],
            exclude: ["Models"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
