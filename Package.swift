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

/// The runtime's SIMD kernels are written with Swift's portable SIMD types;
/// without a CPU target LLVM lowers them to SSE2 only. On x86-64 we target
/// AVX2 (Haswell and later, every x86-64 server of the last decade; see
/// BENCHMARKS.md), which roughly doubles the kernels' speed.
#if arch(x86_64)
let runtimeCPU: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"])]
#else
let runtimeCPU: [SwiftSetting] = []
#endif

let package = Package(
    name: "PatchTop",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "patchtop", targets: ["patchtop"]),
        .library(name: "PatchTopModel", targets: ["PatchTopModel"]),
        .library(name: "PatchTopPlan", targets: ["PatchTopPlan"]),
        .library(name: "PatchTopRuntime", targets: ["PatchTopRuntime"]),
        .library(name: "PatchTopUI", targets: ["PatchTopUI"]),
        .library(name: "PatchTopEngines", targets: ["PatchTopEngines"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // .tflite bytes → graph IR → activation memory profile.
        .target(name: "PatchTopModel", swiftSettings: optimisedEvenInDebug),
        // Receptive fields, patch regions, patched memory and MACs, sweeps.
        .target(name: "PatchTopPlan", dependencies: ["PatchTopModel"], swiftSettings: optimisedEvenInDebug),
        // int8 kernels, the arena, layer-by-layer and patch executors.
        .target(
            name: "PatchTopRuntime",
            dependencies: ["PatchTopModel", "PatchTopPlan"],
            swiftSettings: optimisedEvenInDebug + runtimeCPU
        ),
        // The pure part of the TUI: state, messages, update, views into a
        // cell grid, and the loop that ties them to a backend. No threads,
        // no files, no inference.
        .target(name: "PatchTopUI", dependencies: ["PatchTopModel", "PatchTopPlan", "PatchTopRuntime"]),
        // What the TUI's effects do: background runs, the step-through
        // driver, exports and profile logs on disk.
        .target(name: "PatchTopEngines", dependencies: ["PatchTopModel", "PatchTopPlan", "PatchTopRuntime", "PatchTopUI"]),
        // The only code that talks to the terminal.
        .systemLibrary(name: "CNCurses", providers: [.apt(["libncurses-dev"])]),
        .target(name: "PatchTopTerminal", dependencies: ["CNCurses", "PatchTopUI"]),
        // Argument parsing and wiring only.
        .executableTarget(
            name: "patchtop",
            dependencies: [
                "PatchTopModel", "PatchTopPlan", "PatchTopRuntime", "PatchTopUI", "PatchTopEngines", "PatchTopTerminal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "PatchTopModelTests", dependencies: ["PatchTopModel", "PatchTopPlan"]),
        .testTarget(name: "PatchTopPlanTests", dependencies: ["PatchTopPlan", "PatchTopRuntime"]),
        .testTarget(
            name: "PatchTopRuntimeTests",
            dependencies: ["PatchTopRuntime", "PatchTopUI"],
            swiftSettings: optimisedEvenInDebug
        ),
        // Snapshots/ holds the expected text of the view snapshot tests, read from the source tree.
        .testTarget(
            name: "PatchTopUITests",
            dependencies: ["PatchTopModel", "PatchTopPlan", "PatchTopRuntime", "PatchTopUI", "PatchTopEngines"],
            exclude: ["Snapshots"]
        ),
        .testTarget(name: "PatchTopEndToEndTests", dependencies: ["PatchTopModel", "PatchTopPlan", "PatchTopUI", "PatchTopEngines", "PatchTopTerminal", "patchtop"]),
    ],
    swiftLanguageModes: [.v6]
)
