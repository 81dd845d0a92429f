/* Minimal host driver for the export tests (until the harness branch's
 * `make host` is in main): patchtop_fw INPUT_DIR OUTPUT_DIR [--streamed WIDTH PIXEL_BYTES]
 * reads input<K>.bin, runs the library once, writes output<K>.bin. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "patchtop_model.h"

static unsigned char *load(const char *dir, int k, unsigned long bytes) {
    char path[4096];
    FILE *f;
    unsigned char *data = malloc(bytes ? bytes : 1);
    snprintf(path, sizeof path, "%s/input%d.bin", dir, k);
    f = fopen(path, "rb");
    if (!f || !data || fread(data, 1, bytes, f) != bytes) { fprintf(stderr, "cannot read %s\n", path); exit(2); }
    fclose(f);
    return data;
}

static int image_width, pixel_bytes;
static unsigned char *image;

static void read_region(void *context, int input, int row, int col, int rows, int cols, void *dst) {
    int r;
    (void)context; (void)input;
    for (r = 0; r < rows; r++) {
        memcpy((unsigned char *)dst + (size_t)r * cols * pixel_bytes,
               image + ((size_t)(row + r) * image_width + col) * pixel_bytes, (size_t)cols * pixel_bytes);
    }
}

int main(int argc, char **argv) {
    const void *inputs[PT_NUM_INPUTS + 1];
    void *outputs[PT_NUM_OUTPUTS + 1];
    int k, status;
    if (argc < 3) { fprintf(stderr, "usage: patchtop_fw INPUT_DIR OUTPUT_DIR\n"); return 2; }
    for (k = 0; k < PT_NUM_INPUTS; k++) inputs[k] = load(argv[1], k, pt_input_bytes[k]);
    for (k = 0; k < PT_NUM_OUTPUTS; k++) outputs[k] = calloc(pt_output_bytes[k] ? pt_output_bytes[k] : 1, 1);
    if (pt_init() != 0) return 3;
    if (argc >= 6 && strcmp(argv[3], "--streamed") == 0) {
#if PT_STREAMED_INPUT
        image_width = atoi(argv[4]);
        pixel_bytes = atoi(argv[5]);
        image = (unsigned char *)(size_t)inputs[0];
        status = pt_invoke_streamed(read_region, NULL, outputs);
#else
        fprintf(stderr, "not a streamed export\n");
        return 4;
#endif
    } else {
        status = pt_invoke(inputs, outputs);
    }
    if (status != 0) return 5;
    for (k = 0; k < PT_NUM_OUTPUTS; k++) {
        char path[4096];
        FILE *f;
        snprintf(path, sizeof path, "%s/output%d.bin", argv[2], k);
        f = fopen(path, "wb");
        if (!f || fwrite(outputs[k], 1, pt_output_bytes[k], f) != pt_output_bytes[k]) return 6;
        fclose(f);
    }
    printf("PT status 0\n");
    return 0;
}
