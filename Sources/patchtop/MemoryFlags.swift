import ArgumentParser
import PatchTopModel

/// `--inplace-depthwise` and `--stream-input`, shared by every command that
/// reports memory.
struct MemoryFlags: ParsableArguments {
    @Flag(help: "Count depthwise convs as computed in place (TinyEngine): max(in, out) plus one padded input channel.")
    var inplaceDepthwise = false

    @Flag(help: "Do not hold the graph input in SRAM (streamed from the camera/decoder, as the MCUNetV2 paper assumes).")
    var streamInput = false

    var options: MemoryOptions { MemoryOptions(inplaceDepthwise: inplaceDepthwise, streamInput: streamInput) }
}
