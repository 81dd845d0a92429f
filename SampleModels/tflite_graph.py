"""Independent TFLite flatbuffer reader for PatchTop's sample-model manifest.

Parses a .tflite file with TensorFlow's generated flatbuffer schema
(tensorflow.lite.python.schema_py_generated) and computes, for the main
subgraph: op names in execution order, MACs, weight bytes, and the live
activation bytes per op. This is deliberately independent of PatchTop's Swift
code so the two can check each other.

Liveness definition (the one PatchTop uses):
  * an activation tensor is a graph input, a graph output, or an op output
    that has no constant buffer data;
  * its size is product(shape) x element size;
  * it is live from the op that produces it (op 0 for graph inputs) through
    the last op that reads it (the last op for graph outputs);
  * live bytes at op i = sum of the activation tensors live at i;
  * peak = max over ops, peakOp = first op index reaching the peak.
"""

from tensorflow.lite.python import schema_py_generated as schema

_OP_NAMES = {v: k for k, v in vars(schema.BuiltinOperator).items()
             if not k.startswith("_") and isinstance(v, int)}
_TYPE_NAMES = {v: k for k, v in vars(schema.TensorType).items()
               if not k.startswith("_") and isinstance(v, int)}
_TYPE_SIZES = {
    "FLOAT32": 4, "FLOAT16": 2, "INT32": 4, "UINT8": 1, "INT64": 8,
    "INT16": 2, "INT8": 1, "BOOL": 1, "FLOAT64": 8, "UINT32": 4,
    "UINT16": 2, "INT4": 1,
}


def type_name(t):
    return _TYPE_NAMES.get(t, str(t))


def load_model(path_or_bytes):
    data = path_or_bytes
    if isinstance(path_or_bytes, str):
        with open(path_or_bytes, "rb") as f:
            data = f.read()
    model = schema.Model.GetRootAsModel(bytearray(data), 0)
    return schema.ModelT.InitFromObj(model)


def _shape(t):
    return [int(d) for d in (t.shape if t.shape is not None else [])]


def _prod(xs):
    p = 1
    for x in xs:
        p *= int(x)
    return p


def _is_constant(model, t):
    if t.buffer is None or t.buffer <= 0 or t.buffer >= len(model.buffers):
        return False
    b = model.buffers[t.buffer]
    if b.data is not None and len(b.data) > 0:
        return True
    # Large models (>2 GB) keep data outside the flatbuffer.
    return bool(getattr(b, "offset", 0) and b.offset > 1 and getattr(b, "size", 0))


def _const_bytes(model, t):
    b = model.buffers[t.buffer]
    if b.data is not None and len(b.data) > 0:
        return len(b.data)
    return int(b.size)


def op_name(model, op):
    code = model.operatorCodes[op.opcodeIndex]
    builtin = max(int(code.builtinCode or 0), int(code.deprecatedBuiltinCode or 0))
    name = _OP_NAMES.get(builtin, str(builtin))
    if name == "CUSTOM" and code.customCode:
        name = "CUSTOM:" + code.customCode.decode()
    return name


def analyze(path_or_bytes):
    """Return a dict with ops, macs, weightBytes, liveBytes, peakBytes, peakOp."""
    model = load_model(path_or_bytes)
    sg = model.subgraphs[0]
    tensors = sg.tensors
    ops = list(sg.operators)
    names = [op_name(model, op) for op in ops]
    n = len(ops)

    # MACs.
    macs = 0
    per_op_macs = []
    for op, name in zip(ops, names):
        m = 0
        if name in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"):
            out_elems = _prod(_shape(tensors[op.outputs[0]]))
            w = _shape(tensors[op.inputs[1]])
            if name == "CONV_2D":        # filter [Cout, KH, KW, Cin]
                m = out_elems * w[1] * w[2] * w[3]
            elif name == "DEPTHWISE_CONV_2D":  # filter [1, KH, KW, Cout]
                m = out_elems * w[1] * w[2]
            else:                         # weights [out, in]
                m = out_elems * w[1]
        per_op_macs.append(m)
        macs += m

    # Weight bytes: every tensor that has constant buffer data.
    weight_bytes = sum(_const_bytes(model, t) for t in tensors if _is_constant(model, t))

    # Liveness.
    graph_inputs = [int(i) for i in sg.inputs]
    graph_outputs = [int(i) for i in sg.outputs]
    first = {}
    last = {}
    for i in graph_inputs:
        first[i] = 0
    for idx, op in enumerate(ops):
        for o in op.outputs:
            o = int(o)
            if o >= 0 and not _is_constant(model, tensors[o]) and o not in first:
                first[o] = idx
        for t in op.inputs:
            t = int(t)
            if t >= 0:
                last[t] = idx
    for o in graph_outputs:
        first.setdefault(o, 0)
        last[o] = n - 1
    activations = set(graph_inputs) | set(graph_outputs) | {
        t for t in first if not _is_constant(model, tensors[t])}
    live = [0] * n
    for t in activations:
        tt = tensors[t]
        size = _prod(_shape(tt)) * _TYPE_SIZES[type_name(tt.type)]
        start = first[t]
        end = last.get(t, start)  # an unread op output is live only at its producer
        for i in range(start, end + 1):
            live[i] += size
    peak = max(live) if live else 0
    peak_op = live.index(peak) if live else 0
    return {
        "ops": names,
        "opMacs": per_op_macs,
        "macs": macs,
        "weightBytes": weight_bytes,
        "liveBytes": live,
        "peakBytes": peak,
        "peakOp": peak_op,
        "model": model,
    }


def strip_bias_quantized_dimension(path):
    """Return the model bytes with quantized_dimension reset to 0 on 1-D tensors
    (person_detect's biases carry 3, which the full interpreter refuses)."""
    import flatbuffers
    model = load_model(path)
    for sg in model.subgraphs:
        for t in sg.tensors:
            q = t.quantization
            if q is not None and len(_shape(t)) == 1 and q.quantizedDimension:
                q.quantizedDimension = 0
    b = flatbuffers.Builder(1024)
    b.Finish(model.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output())
