"""An ONNX graph as a torch.nn.Module, for PyTorch eager and torch.compile peers.

    import onnx, onnx_torch
    module = onnx_torch.build(onnx.load("tiny_llama.onnx")).to("cuda")
    logits = module(input_ids)              # a tuple, one tensor per graph output

`build` walks the graph once, in topological order, and emits a torch.fx graph
with one call per ONNX node; torch.fx turns it into plain Python code (print
`module.code` to read it). So eager mode runs exactly the torch ops a
hand-written module would, with no interpreter dispatch per call, and
torch.compile (dynamo) traces straight-line code.

What is decided at build time, so that `forward` does tensor work only:
- initializers and Constant nodes are constants; a node whose tensor inputs are
  all constants is evaluated once here (with the same op functions, on CPU) and
  its outputs become constants: the exporter's shape arithmetic
  (Shape/Gather/Concat on int64), masks and weight transposes fold away;
- inputs that ONNX passes as tensors but that are really static parameters
  (Reshape's shape, Slice's starts/ends/axes/steps, Unsqueeze's axes, TopK's k,
  ...) must be constants and become Python ints and tuples in the code;
  a dynamic one is an error;
- rank-0 constant operands of elementwise ops become Python scalars
  (`x.pow(2.0)` rather than a pow with a 0-d tensor on the device);
- constants the forward still needs are registered buffers (contiguous), so
  `module.to(device)` moves them once.

Preconditions: the default ONNX domain at opset 13 or later (inputs-as-axes
semantics, Softmax on one axis), static shapes wherever a Shape node is used.
An op or attribute this file does not implement raises UnsupportedOnnxError
naming the op (and the node), never a silent fallback.
"""
import functools
import math
import operator

import onnx
import torch
import torch.fx
import torch.nn.functional as F
from onnx import numpy_helper

MIN_OPSET = 13


class UnsupportedOnnxError(Exception):
    """An ONNX construct this converter does not implement."""


# ONNX TensorProto element types as torch dtypes (Cast's `to`, ConstantOfShape).
_DTYPES = {
    onnx.TensorProto.FLOAT: torch.float32,
    onnx.TensorProto.DOUBLE: torch.float64,
    onnx.TensorProto.FLOAT16: torch.float16,
    onnx.TensorProto.BFLOAT16: torch.bfloat16,
    onnx.TensorProto.INT8: torch.int8,
    onnx.TensorProto.INT16: torch.int16,
    onnx.TensorProto.INT32: torch.int32,
    onnx.TensorProto.INT64: torch.int64,
    onnx.TensorProto.UINT8: torch.uint8,
    onnx.TensorProto.BOOL: torch.bool,
}


def torch_dtype(onnx_type):
    if onnx_type not in _DTYPES:
        raise UnsupportedOnnxError("ONNX element type %s" %
                                   onnx.TensorProto.DataType.Name(onnx_type))
    return _DTYPES[onnx_type]


# --- Op table -----------------------------------------------------------------


class OpSpec:
    """How one ONNX op maps onto a Python function over torch tensors.

    `fn(*inputs, **attributes)` gets the node's inputs in ONNX order (None for
    an omitted optional input) and its attributes as keywords (an attribute
    the function does not take is a TypeError, reported as unsupported).
    Inputs at `static` positions arrive as Python ints or tuples of ints;
    `scalar_inputs` positions (None: all) take Python scalars for rank-0
    constants. `fn` returns a tensor, or a tuple for a multi-output op."""

    def __init__(self, fn, static=(), scalar_inputs=()):
        self.fn = fn
        self.static = frozenset(static)
        self.scalar_inputs = scalar_inputs

    def takes_scalar(self, index):
        return self.scalar_inputs is None or index in self.scalar_inputs


OPS = {}


def op(*names, static=(), scalar_inputs=()):
    def register(fn):
        for name in names:
            OPS[name] = OpSpec(fn, static, scalar_inputs)
        return fn
    return register


def _is_float(x):
    return x.is_floating_point() if isinstance(x, torch.Tensor) else \
        isinstance(x, float)


def _axis(axis, rank):
    return axis + rank if axis < 0 else axis


# Elementwise. Python scalars mix with tensors under torch's promotion rules,
# which agree with ONNX here because ONNX requires equal operand types.
op("Add", scalar_inputs=None)(operator.add)
op("Sub", scalar_inputs=None)(operator.sub)
op("Mul", scalar_inputs=None)(operator.mul)
op("Pow", scalar_inputs=None)(torch.pow)
op("Equal", scalar_inputs=None)(operator.eq)
op("Less", scalar_inputs=None)(operator.lt)
op("LessOrEqual", scalar_inputs=None)(operator.le)
op("Greater", scalar_inputs=None)(operator.gt)
op("GreaterOrEqual", scalar_inputs=None)(operator.ge)
op("And")(torch.logical_and)
op("Or")(torch.logical_or)
op("Xor")(torch.logical_xor)
op("Not")(torch.logical_not)
op("Neg")(torch.neg)
op("Abs")(torch.abs)
op("Sqrt")(torch.sqrt)
op("Reciprocal")(torch.reciprocal)
op("Exp")(torch.exp)
op("Log")(torch.log)
op("Sin")(torch.sin)
op("Cos")(torch.cos)
op("Floor")(torch.floor)
op("Ceil")(torch.ceil)
op("Erf")(torch.erf)
op("Sigmoid")(torch.sigmoid)
op("Tanh")(torch.tanh)
op("Relu")(torch.relu)
op("IsNaN")(torch.isnan)


@op("Div", scalar_inputs=None)
def div(a, b):
    # ONNX integer division truncates toward zero.
    if _is_float(a) or _is_float(b):
        return a / b
    return torch.div(a, b, rounding_mode="trunc")


@op("Where", scalar_inputs=(1, 2))
def where(condition, x, y):
    return torch.where(condition, x, y)


@op("Max")
def maximum(*inputs):
    return functools.reduce(torch.maximum, inputs)


@op("Min")
def minimum(*inputs):
    return functools.reduce(torch.minimum, inputs)


@op("Sum")
def sum_(*inputs):
    return functools.reduce(operator.add, inputs)


@op("Identity")
def identity(x):
    return x


@op("Clip", scalar_inputs=(1, 2))
def clip(x, low=None, high=None):
    if low is None and high is None:
        return x
    return torch.clamp(x, low, high)


@op("Cast")
def cast(x, to, saturate=1):
    return x.to(torch_dtype(to))


@op("Gelu")
def gelu(x, approximate="none"):
    return F.gelu(x, approximate=approximate)


@op("Softmax")
def softmax(x, axis=-1):
    return torch.softmax(x, dim=axis)


@op("LogSoftmax")
def log_softmax(x, axis=-1):
    return torch.log_softmax(x, dim=axis)


# Linear algebra and normalisation.
op("MatMul")(torch.matmul)


@op("Gemm")
def gemm(a, b, c=None, alpha=1.0, beta=1.0, transA=0, transB=0):
    if transA == 0 and transB == 1 and alpha == 1.0 and beta == 1.0 and (
            c is None or c.dim() == 1):
        return F.linear(a, b, c)  # the nn.Linear path a torch model would take
    a = a.t() if transA else a
    b = b.t() if transB else b
    y = torch.matmul(a, b)
    if alpha != 1.0:
        y = y * alpha
    if c is not None:
        y = y + (c * beta if beta != 1.0 else c)
    return y


@op("LayerNormalization")
def layer_norm(x, scale, bias=None, axis=-1, epsilon=1e-5, stash_type=1):
    # stash_type 1 computes the statistics in f32: torch does for f32 and
    # upcasts half types itself.
    shape = tuple(x.shape[_axis(axis, x.dim()):])
    if tuple(scale.shape) == shape and (bias is None or
                                        tuple(bias.shape) == shape):
        return F.layer_norm(x, shape, scale, bias, epsilon)
    y = F.layer_norm(x, shape, None, None, epsilon) * scale  # broadcast params
    return y if bias is None else y + bias


@op("Conv")
def conv(x, weight, bias=None, auto_pad="NOTSET", dilations=None, group=1,
         kernel_shape=None, pads=None, strides=None):
    spatial = x.dim() - 2
    if spatial not in (1, 2, 3):
        raise UnsupportedOnnxError("Conv over %d spatial dims" % spatial)
    if auto_pad == "VALID":
        pads = None
    elif auto_pad != "NOTSET":
        raise UnsupportedOnnxError("Conv auto_pad=%s" % auto_pad)
    pads = list(pads) if pads else [0] * (2 * spatial)
    begin, end = pads[:spatial], pads[spatial:]
    padding = tuple(begin)
    if begin != end:  # asymmetric: pad explicitly (F.pad lists the last dim first)
        x = F.pad(x, [p for b, e in zip(reversed(begin), reversed(end))
                      for p in (b, e)])
        padding = 0
    conv_fn = (F.conv1d, F.conv2d, F.conv3d)[spatial - 1]
    return conv_fn(x, weight, bias, stride=tuple(strides or [1] * spatial),
                   padding=padding, dilation=tuple(dilations or [1] * spatial),
                   groups=group)


# Reductions: axes from the attribute (older opsets) or the second input.
def _reduction(reduce_fn):
    def reduce(x, axes=None, keepdims=1, noop_with_empty_axes=0):
        if not axes:
            if noop_with_empty_axes:
                return x
            axes = tuple(range(x.dim()))
        return reduce_fn(x, dim=tuple(axes), keepdim=bool(keepdims))
    return reduce


op("ReduceSum", static=(1,))(_reduction(torch.sum))
op("ReduceMean", static=(1,))(_reduction(torch.mean))
op("ReduceMax", static=(1,))(_reduction(torch.amax))
op("ReduceMin", static=(1,))(_reduction(torch.amin))


@op("TopK", static=(1,))
def topk(x, k, axis=-1, largest=1, sorted=1):
    (k,) = k
    values, indices = torch.topk(x, k, dim=axis, largest=bool(largest),
                                 sorted=bool(sorted))
    return values, indices


# Shapes and data movement.
@op("Reshape", static=(1,))
def reshape(x, shape, allowzero=0):
    if not allowzero:  # 0 copies the input's dimension
        shape = [x.shape[i] if d == 0 else d for i, d in enumerate(shape)]
    return x.reshape(shape)


@op("Flatten")
def flatten(x, axis=1):
    axis = _axis(axis, x.dim())
    return x.reshape(math.prod(x.shape[:axis]), math.prod(x.shape[axis:]))


@op("Transpose")
def transpose(x, perm=None):
    return x.permute(perm if perm is not None else
                     tuple(reversed(range(x.dim()))))


@op("Unsqueeze", static=(1,))
def unsqueeze(x, axes=None):
    rank = x.dim() + len(axes)
    for axis in sorted(_axis(a, rank) for a in axes):
        x = x.unsqueeze(axis)
    return x


@op("Squeeze", static=(1,))
def squeeze(x, axes=None):
    if axes is None:
        return x.squeeze()
    return x.squeeze(tuple(_axis(a, x.dim()) for a in axes))


@op("Expand", static=(1,))
def expand(x, shape):
    # ONNX Expand broadcasts both ways (a 1 in `shape` keeps x's dimension).
    return x.expand(torch.broadcast_shapes(tuple(x.shape), tuple(shape)))


@op("Tile", static=(1,))
def tile(x, repeats):
    return x.repeat(repeats)


@op("Concat")
def concat(*inputs, axis):
    return torch.cat(inputs, dim=axis)


@op("Split", static=(1,))
def split(x, split=None, axis=0, num_outputs=None):
    dim = x.shape[axis]
    if split is None:
        if num_outputs is None:
            raise UnsupportedOnnxError(
                "Split without `split` or `num_outputs` (its output count is "
                "only known to the builder)")
        # Opset 18: equal chunks, the last one smaller.
        chunk = -(-dim // num_outputs)
        split = [min(chunk, dim - i * chunk) for i in range(num_outputs)]
    return tuple(torch.split(x, list(split), dim=axis))


@op("Slice", static=(1, 2, 3, 4))
def slice_(x, starts, ends, axes=None, steps=None):
    axes = axes if axes is not None else tuple(range(len(starts)))
    steps = steps if steps is not None else (1,) * len(starts)
    index = [slice(None)] * x.dim()
    flips = []
    for start, end, axis, step in zip(starts, ends, axes, steps):
        axis = _axis(axis, x.dim())
        dim = x.shape[axis]
        # Python's slice clamping is ONNX's, for either sign of step.
        positions = range(*slice(start, end, step).indices(dim))
        if step > 0:
            index[axis] = slice(positions.start, positions.stop, step)
        else:
            # torch has no negative-step views: take the flipped axis forward.
            flips.append(axis)
            first = dim - 1 - positions.start
            index[axis] = slice(first, first + len(positions) * -step, -step)
    if flips:
        x = x.flip(flips)
    return x[tuple(index)]


@op("Gather", scalar_inputs=(1,))
def gather(data, indices, axis=0):
    if isinstance(indices, int):  # a constant scalar index: a view
        return data.select(axis, indices)
    # Advanced indexing takes negative indices, as ONNX does.
    return data[(slice(None),) * _axis(axis, data.dim()) + (indices,)]


@op("GatherND")
def gather_nd(data, indices, batch_dims=0):
    if batch_dims != 0:
        raise UnsupportedOnnxError("GatherND batch_dims=%d" % batch_dims)
    return data[tuple(indices.unbind(-1))]


@op("Trilu", static=(1,))
def trilu(x, k=None, upper=1):
    diagonal = k[0] if k else 0
    return torch.triu(x, diagonal) if upper else torch.tril(x, diagonal)


@op("Shape")
def shape(x, start=0, end=None):
    # Folded by the builder when the input's shape is statically known.
    return torch.tensor(x.shape[start:end], dtype=torch.int64, device=x.device)


@op("ConstantOfShape", static=(0,))
def constant_of_shape(shape, value=None):
    if value is None:
        return torch.zeros(shape, dtype=torch.float32)
    return torch.full(shape, value.reshape(()).item(), dtype=value.dtype)


@op("Range")
def range_(start, limit, delta):
    # Always folded in practice: the exporter's ranges are over static shapes.
    return torch.arange(start.item(), limit.item(), delta.item(),
                        dtype=start.dtype, device=start.device)


# --- Builder ------------------------------------------------------------------


def _attribute(attribute):
    value = onnx.helper.get_attribute_value(attribute)
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, onnx.TensorProto):
        return torch.from_numpy(numpy_helper.to_array(value).copy())
    if isinstance(value, list):
        return tuple(v.decode() if isinstance(v, bytes) else v for v in value)
    return value


def _constant_node_value(node):
    """The tensor a Constant node holds."""
    (attribute,) = node.attribute
    value = _attribute(attribute)
    if attribute.name == "value":
        return value
    dtypes = {"value_float": torch.float32, "value_floats": torch.float32,
              "value_int": torch.int64, "value_ints": torch.int64}
    if attribute.name not in dtypes:
        raise UnsupportedOnnxError("Constant with attribute %s" %
                                   attribute.name)
    return torch.tensor(value, dtype=dtypes[attribute.name])


def _static_value(tensor):
    """A constant shape/axes/k input as Python: an int tuple (or a scalar)."""
    values = tensor.tolist()
    return tuple(values) if isinstance(values, list) else values


def _static_shapes(model):
    """Value name -> shape tuple, for values ONNX shape inference pins down."""
    try:
        inferred = onnx.shape_inference.infer_shapes(model)
    except Exception:  # inference is only a help for folding Shape nodes
        inferred = model
    shapes = {}
    graph = inferred.graph
    for info in list(graph.value_info) + list(graph.input) + list(graph.output):
        dims = info.type.tensor_type.shape.dim
        if info.type.tensor_type.HasField("shape") and all(
                d.HasField("dim_value") for d in dims):
            shapes[info.name] = tuple(d.dim_value for d in dims)
    return shapes


class _Builder:
    """Emits the fx graph; `values` maps ONNX value names to either a torch
    tensor (a constant, on CPU) or an fx Node (computed by forward)."""

    def __init__(self, model):
        self.model = model
        self.root = torch.nn.Module()
        self.graph = torch.fx.Graph()
        self.values = {}
        self.buffers = {}  # id(constant tensor) -> get_attr node
        self.static_shapes = _static_shapes(model)
        self.folded = 0

    def constant_node(self, tensor):
        key = id(tensor)
        if key not in self.buffers:
            name = "c%d" % len(self.buffers)
            self.root.register_buffer(name, tensor.contiguous())
            self.buffers[key] = (self.graph.get_attr(name), tensor)
        return self.buffers[key][0]

    def build(self):
        graph = self.model.graph
        for initializer in graph.initializer:
            self.values[initializer.name] = torch.from_numpy(
                numpy_helper.to_array(initializer).copy())
        for value in graph.input:
            if value.name not in self.values:
                self.values[value.name] = self.graph.placeholder(
                    _python_name(value.name))
        for node in graph.node:
            try:
                self.convert(node)
            except UnsupportedOnnxError as e:
                raise UnsupportedOnnxError("%s (node %r): %s" % (
                    node.op_type, node.name, e)) from None
        outputs = []
        for value in graph.output:
            result = self.values[value.name]
            if isinstance(result, torch.Tensor):
                result = self.constant_node(result)
            outputs.append(result)
        self.graph.output(tuple(outputs))
        module = torch.fx.GraphModule(self.root, self.graph,
                                      class_name="OnnxModule")
        module.folded_nodes = self.folded
        return module

    def convert(self, node):
        if node.domain not in ("", "ai.onnx"):
            raise UnsupportedOnnxError("op %s of domain %s is not implemented" %
                                       (node.op_type, node.domain))
        if node.op_type == "Constant":
            self.values[node.output[0]] = _constant_node_value(node)
            return
        if node.op_type == "Shape" and node.input[0] in self.static_shapes:
            self.fold(node, self.shape_constant(node))
            return
        spec = OPS.get(node.op_type)
        if spec is None:
            raise UnsupportedOnnxError("op %s is not implemented" %
                                       node.op_type)
        attributes = {a.name: _attribute(a) for a in node.attribute}
        inputs = [self.values[name] if name else None for name in node.input]
        # Trailing omitted inputs are simply not passed.
        while inputs and inputs[-1] is None:
            inputs.pop()
        for i in spec.static:
            if i < len(inputs) and inputs[i] is not None:
                if not isinstance(inputs[i], torch.Tensor):
                    raise UnsupportedOnnxError(
                        "input %d (%s) must be a constant: dynamic shapes "
                        "are not supported" % (i, node.input[i]))
                inputs[i] = _static_value(inputs[i])
        # Static inputs given as attributes in older opsets.
        for name, position in (("axes", 1), ("split", 1)):
            if name in attributes and 1 in spec.static:
                while len(inputs) <= position:
                    inputs.append(None)
                inputs[position] = attributes.pop(name)
        if all(not isinstance(x, torch.fx.Node) for x in inputs):
            self.fold(node, self.call(spec, node, inputs, attributes))
            return
        args = []
        for i, x in enumerate(inputs):
            if isinstance(x, torch.Tensor):
                if x.dim() == 0 and spec.takes_scalar(i):
                    x = x.item()
                else:
                    x = self.constant_node(x)
            args.append(x)
        result = self.graph.call_function(spec.fn, tuple(args), attributes)
        self.bind_outputs(node, result, multiple=self.output_count(node) > 1)

    def call(self, spec, node, inputs, attributes):
        try:
            return spec.fn(*inputs, **attributes)
        except TypeError as e:
            raise UnsupportedOnnxError("attributes %s: %s" % (
                sorted(attributes), e)) from None

    def shape_constant(self, node):
        attributes = {a.name: _attribute(a) for a in node.attribute}
        dims = self.static_shapes[node.input[0]]
        start, end = attributes.get("start", 0), attributes.get("end")
        return torch.tensor(dims[start:end], dtype=torch.int64)

    def output_count(self, node):
        return len(node.output)

    def fold(self, node, result):
        self.folded += 1
        results = result if isinstance(result, tuple) else (result,)
        self.check_outputs(node, len(results))
        for name, value in zip(node.output, results):
            if name:
                self.values[name] = value

    def bind_outputs(self, node, result, multiple):
        if not multiple:
            self.check_outputs(node, 1)
            self.values[node.output[0]] = result
            return
        for i, name in enumerate(node.output):
            if name:
                self.values[name] = self.graph.call_function(
                    operator.getitem, (result, i))

    def check_outputs(self, node, produced):
        used = [i for i, name in enumerate(node.output) if name]
        if used and used[-1] >= produced:
            raise UnsupportedOnnxError(
                "output %d (%s) is used but only %d output(s) are implemented"
                % (used[-1], node.output[used[-1]], produced))


def _python_name(name):
    cleaned = "".join(c if c.isalnum() else "_" for c in name)
    return cleaned if cleaned[:1].isalpha() else "v_" + cleaned


def opset(model):
    for entry in model.opset_import:
        if entry.domain in ("", "ai.onnx"):
            return entry.version
    return None


def build(model):
    """A torch.fx.GraphModule computing `model` (an onnx.ModelProto), on CPU:
    `module(*graph_inputs)` returns a tuple with one tensor per graph output.
    Raises UnsupportedOnnxError for what this converter does not implement."""
    version = opset(model)
    if version is None or version < MIN_OPSET:
        raise UnsupportedOnnxError("default-domain opset %s; need %d or later" %
                                   (version, MIN_OPSET))
    return _Builder(model).build()


def op_types(model):
    """The (domain, op_type) pairs of `model`'s main graph, sorted."""
    return sorted({(n.domain, n.op_type) for n in model.graph.node})


def unsupported_ops(model):
    """The op types of `model` this converter has no implementation for."""
    return [t for d, t in op_types(model)
            if d not in ("", "ai.onnx") or (t not in OPS and t != "Constant")]
