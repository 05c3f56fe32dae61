//===- LinearLayers.cpp - The linear layers efficiency passes rewrite -----===//

#include "loom/Quantization/LinearLayers.h"

#include "loom/Analysis/ConstantEvaluator.h"
#include "loom/IR/LoomOps.h"
#include "loom/Transforms/RaisingUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::loom;

func::FuncOp mlir::loom::getEntryFunction(ModuleOp module, StringRef name) {
  if (!name.empty()) {
    auto func = module.lookupSymbol<func::FuncOp>(name);
    if (!func || func.isExternal())
      module.emitError() << "no function @" << name << " with a body";
    return func && !func.isExternal() ? func : func::FuncOp();
  }
  func::FuncOp found;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isExternal() || func.isPrivate())
      continue;
    if (found) {
      module.emitError() << "several public functions (@" << found.getName()
                         << ", @" << func.getName()
                         << "); name one with the pass's function option";
      return {};
    }
    found = func;
  }
  if (!found)
    module.emitError() << "no public function with a body";
  return found;
}

/// `value` flows into a func.return through reshapes only.
static bool reachesReturn(Value value) {
  for (Operation *user : value.getUsers()) {
    if (isa<func::ReturnOp>(user))
      return true;
    if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp, tensor::ReshapeOp,
            tensor::CastOp>(user) &&
        reachesReturn(user->getResult(0)))
      return true;
  }
  return false;
}

static bool isStaticF32(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.hasStaticShape() && tensor.getElementType().isF32();
}

std::vector<LinearLayer> mlir::loom::findLinearLayers(func::FuncOp func,
                                                      bool remarks) {
  std::vector<LinearLayer> layers;
  func.walk([&](Operation *op) {
    if (isa<MoEFFNOp>(op))
      return; // expert weights: each pass says what it does with them
    if (isa<linalg::ConvolutionOpInterface>(op)) {
      if (remarks)
        mlir::emitRemark(op->getLoc())
            << "convolution left in f32: only linear layers "
               "(matmuls by a constant) are rewritten";
      return;
    }
    auto matmul = dyn_cast<linalg::MatmulOp>(op);
    if (!matmul)
      return;
    Value x = matmul.getDpsInputs()[0], w = matmul.getDpsInputs()[1];
    if (!w.getDefiningOp<arith::ConstantOp>())
      return; // activations times activations (attention): not a layer
    if (!isPlainMatmul(matmul) || !isStaticF32(x.getType()) ||
        !isStaticF32(w.getType()) || !isStaticF32(matmul.getResultTypes()[0])) {
      if (remarks)
        mlir::emitRemark(op->getLoc())
            << "matmul by a constant left alone: only static "
               "f32 matmuls with default maps and a zero init "
               "are linear layers";
      return;
    }
    LinearLayer layer;
    layer.op = matmul;
    auto xType = cast<RankedTensorType>(x.getType());
    auto wType = cast<RankedTensorType>(w.getType());
    layer.m = xType.getDimSize(0);
    layer.k = wType.getDimSize(0);
    layer.n = wType.getDimSize(1);
    if (auto nameLoc = dyn_cast<NameLoc>(op->getLoc()))
      layer.name = nameLoc.getName().str();
    else
      layer.name = "linear_" + std::to_string(layers.size());
    layer.isOutputHead = reachesReturn(matmul.getResult(0));
    layers.push_back(std::move(layer));
  });
  // Names are keys of policy files: make repeated node names unique.
  llvm::StringMap<int> seen;
  for (LinearLayer &layer : layers)
    if (int count = seen[layer.name]++)
      layer.name += "#" + std::to_string(count);
  return layers;
}

std::optional<std::vector<float>>
mlir::loom::readWeightKN(const LinearLayer &layer) {
  std::optional<SmallVector<double>> values = evaluateConstantTensor(
      layer.op.getDpsInputs()[1], /*maxElements=*/int64_t(1) << 28);
  if (!values)
    return std::nullopt;
  return std::vector<float>(values->begin(), values->end());
}

std::optional<std::vector<float>>
mlir::loom::readWeightNK(const LinearLayer &layer) {
  std::optional<std::vector<float>> kn = readWeightKN(layer);
  if (!kn)
    return std::nullopt;
  return transposed<float>(*kn, layer.k, layer.n);
}

int64_t mlir::loom::walkIndexOf(func::FuncOp func, Operation *target) {
  int64_t index = 0, found = -1;
  func.walk<WalkOrder::PreOrder>([&](Operation *op) {
    if (op == target) {
      found = index;
      return WalkResult::interrupt();
    }
    ++index;
    return WalkResult::advance();
  });
  return found;
}

Operation *mlir::loom::opAtWalkIndex(func::FuncOp func, int64_t target) {
  int64_t index = 0;
  Operation *found = nullptr;
  func.walk<WalkOrder::PreOrder>([&](Operation *op) {
    if (index++ == target) {
      found = op;
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return found;
}

std::vector<Operation *> mlir::loom::findMoEOps(func::FuncOp func) {
  std::vector<Operation *> ops;
  func.walk([&](MoEFFNOp op) { ops.push_back(op); });
  return ops;
}

std::vector<ExpertWeight> mlir::loom::findExpertWeights(func::FuncOp func) {
  std::vector<ExpertWeight> weights;
  for (Operation *op : findMoEOps(func)) {
    auto moe = cast<MoEFFNOp>(op);
    std::string base;
    if (auto nameLoc = dyn_cast<NameLoc>(op->getLoc()))
      base = nameLoc.getName().str();
    else
      base = "moe_" + std::to_string(weights.size());
    SmallVector<std::pair<Value, StringRef>> candidates = {
        {moe.getW1(), "w1"}, {moe.getW2(), "w2"}, {moe.getW3(), "w3"}};
    for (auto [value, what] : candidates) {
      if (!value || !value.getDefiningOp<arith::ConstantOp>())
        continue;
      auto type = cast<RankedTensorType>(value.getType());
      if (type.getRank() != 3 || !type.hasStaticShape() ||
          !type.getElementType().isF32())
        continue;
      unsigned index = 0;
      for (OpOperand &operand : op->getOpOperands())
        if (operand.get() == value)
          index = operand.getOperandNumber();
      ExpertWeight w;
      w.op = op;
      w.operandIndex = index;
      w.name = base + "/" + what.str();
      w.experts = type.getDimSize(0);
      w.k = type.getDimSize(1);
      w.n = type.getDimSize(2);
      weights.push_back(std::move(w));
    }
  }
  return weights;
}

std::optional<std::vector<std::vector<float>>>
mlir::loom::readExpertWeightsNK(const ExpertWeight &w) {
  std::optional<SmallVector<double>> values = evaluateConstantTensor(
      w.op->getOperand(w.operandIndex), /*maxElements=*/int64_t(1) << 28);
  if (!values)
    return std::nullopt;
  int64_t size = w.k * w.n;
  std::vector<std::vector<float>> experts;
  for (int64_t e = 0; e < w.experts; ++e) {
    std::vector<float> kn(values->begin() + e * size,
                          values->begin() + (e + 1) * size);
    experts.push_back(transposed<float>(kn, w.k, w.n));
  }
  return experts;
}
