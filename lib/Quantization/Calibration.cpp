//===- Calibration.cpp - Running a model on calibration inputs ------------===//

#include "loom/Quantization/Calibration.h"

#include "loom/Quantization/Fitting.h"

#include "loom/IR/LoomOps.h"
#include "loom/Transforms/Transforms.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace mlir;
using namespace mlir::loom;

/// The `.npy` files (or, with `directories`, the subdirectories) of `dir`,
/// sorted by name.
static FailureOr<std::vector<std::string>>
listEntries(func::FuncOp func, StringRef dir, bool directories) {
  std::vector<std::string> entries;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec)) {
    bool isDir = llvm::sys::fs::is_directory(it->path());
    if (directories
            ? isDir
            : !isDir && llvm::sys::path::extension(it->path()) == ".npy")
      entries.push_back(it->path());
  }
  if (ec)
    return func.emitError() << "cannot read calibration directory '" << dir
                            << "': " << ec.message();
  std::sort(entries.begin(), entries.end());
  if (entries.empty())
    return func.emitError() << "calibration directory '" << dir << "' has no "
                            << (directories ? "sample subdirectories (the "
                                              "model has several inputs)"
                                            : ".npy files");
  return entries;
}

/// `array` split into samples of `want` (itself, or the slices of a stack).
static FailureOr<std::vector<NpyArray>> splitSamples(func::FuncOp func,
                                                     const std::string &path,
                                                     NpyArray array,
                                                     ArrayRef<int64_t> want) {
  std::vector<NpyArray> samples;
  if (ArrayRef<int64_t>(array.shape) == want) {
    samples.push_back(std::move(array));
    return samples;
  }
  if (array.shape.size() == want.size() + 1 &&
      ArrayRef<int64_t>(array.shape).drop_front() == want) {
    size_t bytes = array.data.size() / std::max<int64_t>(array.shape[0], 1);
    for (int64_t i = 0; i < array.shape[0]; ++i) {
      NpyArray sample;
      sample.dtype = array.dtype;
      sample.shape = want.vec();
      sample.data.assign(array.data.begin() + i * bytes,
                         array.data.begin() + (i + 1) * bytes);
      samples.push_back(std::move(sample));
    }
    return samples;
  }
  return func.emitError() << "calibration input '" << path << "' has shape "
                          << array.shapeString() << "; the model takes "
                          << formatShape(want.vec()) << " (or a stack of them)";
}

static FailureOr<NpyArray> readInput(func::FuncOp func, const std::string &path,
                                     unsigned argument) {
  Result<NpyArray> array = readNpyFile(path);
  if (!array)
    return func.emitError() << "calibration input: " << array.message();
  auto type = cast<RankedTensorType>(func.getArgumentTypes()[argument]);
  std::optional<DType> want = getDTypeFor(type.getElementType());
  bool isUnsigned = func.getArgAttr(argument, "onnx.unsigned") != nullptr;
  if (want && *want == DType::I8 && isUnsigned)
    want = DType::U8;
  if (!want || array->dtype != *want)
    return func.emitError() << "calibration input '" << path << "' is "
                            << dtypeName(array->dtype) << "; argument "
                            << argument << " is " << type;
  return std::move(*array);
}

FailureOr<std::vector<CalibrationSample>>
mlir::loom::loadCalibrationSamples(func::FuncOp func, StringRef dir) {
  if (!llvm::sys::fs::is_directory(dir))
    return func.emitError()
           << "calibration directory '" << dir << "' does not exist";
  unsigned numArgs = func.getNumArguments();
  std::vector<CalibrationSample> samples;
  if (numArgs == 1) {
    auto files = listEntries(func, dir, /*directories=*/false);
    if (failed(files))
      return failure();
    auto shape = cast<RankedTensorType>(func.getArgumentTypes()[0]).getShape();
    for (const std::string &path : *files) {
      FailureOr<NpyArray> array = readInput(func, path, 0);
      if (failed(array))
        return failure();
      auto split = splitSamples(func, path, std::move(*array), shape);
      if (failed(split))
        return failure();
      for (NpyArray &s : *split)
        samples.push_back({std::move(s)});
    }
    return samples;
  }
  auto dirs = listEntries(func, dir, /*directories=*/true);
  if (failed(dirs))
    return failure();
  for (const std::string &sampleDir : *dirs) {
    auto files = listEntries(func, sampleDir, /*directories=*/false);
    if (failed(files))
      return failure();
    if (files->size() != numArgs)
      return func.emitError()
             << "calibration sample '" << sampleDir << "' has " << files->size()
             << " .npy files; the model takes " << numArgs << " inputs";
    CalibrationSample sample;
    for (auto [i, path] : llvm::enumerate(*files)) {
      FailureOr<NpyArray> array = readInput(func, path, i);
      if (failed(array))
        return failure();
      auto shape =
          cast<RankedTensorType>(func.getArgumentTypes()[i]).getShape();
      if (ArrayRef<int64_t>(array->shape) != shape)
        return func.emitError()
               << "calibration input '" << path << "' has shape "
               << array->shapeString() << "; argument " << i << " is "
               << formatShape(shape.vec());
      sample.push_back(std::move(*array));
    }
    samples.push_back(std::move(sample));
  }
  return samples;
}

/// A module holding a copy of `func` alone (public, so that the JIT can call
/// it) and the functions it calls.
static OwningOpRef<ModuleOp> cloneModuleOf(func::FuncOp func) {
  auto module = func->getParentOfType<ModuleOp>();
  return OwningOpRef<ModuleOp>(cast<ModuleOp>(module->clone()));
}

/// Makes `tapped` (the copy of `func` in `copy`) also return `taps` after its
/// own results, and compiles `copy` with the JIT; `firstTap` is then the
/// output index of the first tap.
static FailureOr<std::unique_ptr<JitModule>>
compileWithTaps(func::FuncOp func, ModuleOp copy, func::FuncOp tapped,
                ArrayRef<Value> taps, unsigned &firstTap) {
  auto returnOp = cast<func::ReturnOp>(tapped.getBody().back().getTerminator());
  firstTap = returnOp.getNumOperands();
  SmallVector<Value> operands(returnOp.getOperands());
  operands.append(taps.begin(), taps.end());
  SmallVector<unsigned> indices(taps.size(), firstTap);
  SmallVector<Type> types(ValueRange(taps).getTypes());
  SmallVector<DictionaryAttr> attrs(taps.size(),
                                    DictionaryAttr::get(func.getContext()));
  if (failed(tapped.insertResults(indices, types, attrs)))
    return func.emitError()
           << "internal error: cannot tap the values calibration reads";
  returnOp->setOperands(operands);
  auto jit = JitModule::compile(copy, func.getName(), /*reference=*/false,
                                /*isolate=*/true);
  if (!jit)
    return func.emitError()
           << "calibration: " << llvm::toString(jit.takeError());
  return std::move(*jit);
}

LogicalResult mlir::loom::runWithTaps(
    func::FuncOp func, ArrayRef<Value> values,
    ArrayRef<CalibrationSample> samples,
    llvm::function_ref<LogicalResult(ArrayRef<const NpyArray *>)> onSample) {
  // Op results are tapped in a copy; arguments are read from the sample.
  OwningOpRef<ModuleOp> copy = cloneModuleOf(func);
  auto tapped = copy->lookupSymbol<func::FuncOp>(func.getName());
  SmallVector<Value> taps;
  SmallVector<int64_t> tapOf; // per value: tap index, or -1 - argument
  for (Value value : values) {
    if (auto arg = dyn_cast<BlockArgument>(value)) {
      if (arg.getOwner() != &func.getBody().front())
        return func.emitError()
               << "internal error: calibration can only tap the entry "
                  "block's arguments";
      tapOf.push_back(-1 - int64_t(arg.getArgNumber()));
      continue;
    }
    Operation *op =
        opAtWalkIndex(tapped, walkIndexOf(func, value.getDefiningOp()));
    tapOf.push_back(taps.size());
    taps.push_back(op->getResult(cast<OpResult>(value).getResultNumber()));
  }
  unsigned firstTap = 0;
  FailureOr<std::unique_ptr<JitModule>> jit =
      compileWithTaps(func, *copy, tapped, taps, firstTap);
  if (failed(jit))
    return failure();
  for (const CalibrationSample &sample : samples) {
    auto result = (*jit)->run(sample);
    if (!result)
      return func.emitError()
             << "calibration: " << llvm::toString(result.takeError());
    SmallVector<const NpyArray *> arrays;
    for (int64_t tap : tapOf)
      arrays.push_back(tap >= 0 ? &result->outputs[firstTap + tap]
                                : &sample[-1 - tap]);
    if (failed(onSample(arrays)))
      return failure();
  }
  return success();
}

FailureOr<std::vector<LayerStatistics>> mlir::loom::collectLayerStatistics(
    func::FuncOp func, ArrayRef<LinearLayer> layers,
    ArrayRef<CalibrationSample> samples, bool withHessian) {
  std::vector<LayerStatistics> stats(layers.size());
  if (layers.empty())
    return stats;
  // A copy whose function also returns every layer's input.
  OwningOpRef<ModuleOp> copy = cloneModuleOf(func);
  auto tapped = copy->lookupSymbol<func::FuncOp>(func.getName());
  SmallVector<Value> taps;
  for (const LinearLayer &layer : layers)
    taps.push_back(cast<linalg::MatmulOp>(
                       opAtWalkIndex(tapped, walkIndexOf(func, layer.op)))
                       .getDpsInputs()[0]);
  unsigned firstTap = 0;
  FailureOr<std::unique_ptr<JitModule>> jit =
      compileWithTaps(func, *copy, tapped, taps, firstTap);
  if (failed(jit))
    return failure();
  for (auto [i, layer] : llvm::enumerate(layers)) {
    stats[i].k = layer.k;
    if (withHessian)
      stats[i].hessian.assign(layer.k * layer.k, 0.0);
  }
  for (const CalibrationSample &sample : samples) {
    auto result = (*jit)->run(sample);
    if (!result)
      return func.emitError()
             << "calibration: " << llvm::toString(result.takeError());
    for (auto [i, layer] : llvm::enumerate(layers)) {
      const NpyArray &x = result->outputs[firstTap + i];
      const float *data = reinterpret_cast<const float *>(x.data.data());
      int64_t count = x.numElements();
      for (int64_t e = 0; e < count; ++e)
        stats[i].absMax = std::max(stats[i].absMax, std::fabs(double(data[e])));
      stats[i].rows += count / layer.k;
      if (withHessian)
        quant::accumulateHessian(stats[i].hessian, data, count / layer.k,
                                 layer.k);
    }
  }
  return stats;
}

FailureOr<std::vector<ExpertRows>>
mlir::loom::collectExpertRows(func::FuncOp func, ArrayRef<Operation *> moeOps,
                              ArrayRef<CalibrationSample> samples) {
  std::vector<ExpertRows> result(moeOps.size());
  if (moeOps.empty())
    return result;
  // A copy whose MoE layers are decomposed and whose function also returns
  // each layer's dispatched rows, offsets and counts.
  OwningOpRef<ModuleOp> copy = cloneModuleOf(func);
  auto tapped = copy->lookupSymbol<func::FuncOp>(func.getName());
  SmallVector<MoEFFNOp> ops;
  for (Operation *op : moeOps)
    ops.push_back(cast<MoEFFNOp>(opAtWalkIndex(tapped, walkIndexOf(func, op))));
  SmallVector<Value> taps;
  for (MoEFFNOp op : ops) {
    OpBuilder b(op);
    SmallVector<Value> replacement = buildMoEFFNDecomposition(
        b, op, op.getInput(), op.getRouterWeight(), op.getW1(), op.getW2(),
        op.getW3(), op.getConstants(), op.getScales(), op.getZeroPoints());
    auto combine = replacement[0].getDefiningOp<MoECombineOp>();
    auto experts = combine.getExpertOutput().getDefiningOp<MoEExpertsOp>();
    taps.append({experts.getRows(), experts.getOffsets(), experts.getCounts(),
                 op.getInput()});
    op->replaceAllUsesWith(replacement);
    op->erase();
  }
  unsigned firstTap = 0;
  FailureOr<std::unique_ptr<JitModule>> jit =
      compileWithTaps(func, *copy, tapped, taps, firstTap);
  if (failed(jit))
    return failure();
  for (const CalibrationSample &sample : samples) {
    auto run = (*jit)->run(sample);
    if (!run)
      return func.emitError()
             << "calibration: " << llvm::toString(run.takeError());
    for (size_t i = 0; i < ops.size(); ++i) {
      const NpyArray &rows = run->outputs[firstTap + 4 * i];
      const NpyArray &offsets = run->outputs[firstTap + 4 * i + 1];
      const NpyArray &counts = run->outputs[firstTap + 4 * i + 2];
      const NpyArray &input = run->outputs[firstTap + 4 * i + 3];
      if (rows.dtype != DType::F32 || rows.shape.size() != 2 ||
          input.dtype != DType::F32)
        return func.emitError()
               << "calibration: the expert rows of a loom.moe.ffn must be f32";
      int64_t hidden = rows.shape[1];
      const float *x = reinterpret_cast<const float *>(rows.data.data());
      const int64_t *offset =
          reinterpret_cast<const int64_t *>(offsets.data.data());
      const int64_t *count =
          reinterpret_cast<const int64_t *>(counts.data.data());
      int64_t numExperts = offsets.numElements();
      result[i].routed.resize(numExperts);
      for (int64_t e = 0; e < numExperts; ++e)
        result[i].routed[e].insert(result[i].routed[e].end(),
                                   x + offset[e] * hidden,
                                   x + (offset[e] + count[e]) * hidden);
      const float *in = reinterpret_cast<const float *>(input.data.data());
      result[i].all.insert(result[i].all.end(), in, in + input.numElements());
    }
  }
  return result;
}

/// `values` ([rows, cols], row-major f32) as an argument of the JIT.
static NpyArray asArray(ArrayRef<float> values, int64_t rows, int64_t cols) {
  NpyArray array = makeNpyArray(DType::F32, {rows, cols});
  std::memcpy(array.data.data(), values.data(), values.size() * sizeof(float));
  return array;
}

FailureOr<std::unique_ptr<WeightSubstitutionRunner>>
WeightSubstitutionRunner::create(func::FuncOp func,
                                 ArrayRef<LinearLayer> layers) {
  std::unique_ptr<WeightSubstitutionRunner> runner(
      new WeightSubstitutionRunner());
  OwningOpRef<ModuleOp> copy = cloneModuleOf(func);
  auto open = copy->lookupSymbol<func::FuncOp>(func.getName());
  unsigned first = open.getNumArguments();
  SmallVector<unsigned> indices;
  SmallVector<Type> types;
  SmallVector<DictionaryAttr> attrs;
  SmallVector<Location> locs;
  SmallVector<linalg::MatmulOp> ops;
  for (const LinearLayer &layer : layers) {
    ops.push_back(cast<linalg::MatmulOp>(
        opAtWalkIndex(open, walkIndexOf(func, layer.op))));
    Value w = ops.back().getDpsInputs()[1];
    indices.push_back(first);
    types.push_back(w.getType());
    attrs.push_back(DictionaryAttr::get(func.getContext()));
    locs.push_back(w.getLoc());
    std::optional<std::vector<float>> kn = readWeightKN(layer);
    if (!kn)
      return layer.op.emitError()
             << "cannot read the weight of layer '" << layer.name << "'";
    runner->weights.push_back(asArray(*kn, layer.k, layer.n));
  }
  if (failed(open.insertArguments(indices, types, attrs, locs)))
    return func.emitError() << "internal error: cannot make the weights "
                               "arguments";
  for (auto [i, op] : llvm::enumerate(ops))
    op->setOperand(1, open.getArgument(first + i));
  auto jit = JitModule::compile(*copy, func.getName(), /*reference=*/false,
                                /*isolate=*/true);
  if (!jit)
    return func.emitError()
           << "sensitivity analysis: " << llvm::toString(jit.takeError());
  runner->jit = std::move(*jit);
  return runner;
}

llvm::Expected<NpyArray>
WeightSubstitutionRunner::run(const CalibrationSample &sample, int64_t layer,
                              const std::vector<float> *weightNK) const {
  std::vector<NpyArray> inputs(sample.begin(), sample.end());
  for (auto [i, w] : llvm::enumerate(weights)) {
    if (int64_t(i) != layer || !weightNK) {
      inputs.push_back(w);
      continue;
    }
    int64_t k = w.shape[0], n = w.shape[1];
    inputs.push_back(asArray(transposed<float>(*weightNK, n, k), k, n));
  }
  auto result = jit->run(inputs);
  if (!result)
    return result.takeError();
  return std::move(result->outputs.front());
}
