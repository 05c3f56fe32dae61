//===- CostTable.cpp - per-operation HLS cost table -----------------------===//
//
// Every figure of the estimator's model; docs/HLSEstimator.md lists them.
// The f32 operators are Vitis-HLS-like figures for UltraScale+ at 200-300 MHz
// (the model's choice; no vendor tool runs here to calibrate them); the
// fixed-point operators are derived from the width W of ap_fixed<W,I>.
//
//===----------------------------------------------------------------------===//

#include "CostTable.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::loom::hls;

std::optional<Precision> Precision::parse(StringRef text) {
  Precision p;
  if (text == "float")
    return p;
  if (!text.consume_front("fixed<") || !text.consume_back(">"))
    return std::nullopt;
  auto [w, i] = text.split(',');
  if (w.trim().getAsInteger(10, p.width) ||
      i.trim().getAsInteger(10, p.intBits) || p.width < 1 || p.width > 1024)
    return std::nullopt;
  p.fixed = true;
  return p;
}

std::string Precision::str() const {
  if (!fixed)
    return "float";
  return "fixed<" + std::to_string(width) + "," + std::to_string(intBits) + ">";
}

const Part *mlir::loom::hls::lookupPart(StringRef name) {
  // Device totals: Alveo U280 (xcu280-fsvh2892-2L-e) and ZCU102 (xczu9eg).
  static const Part parts[] = {
      {"u280", "xcu280", 9024, 4032, 1303680, 2607360, 300},
      {"zcu102", "xczu9eg", 2520, 1824, 274080, 548160, 200},
  };
  for (const Part &p : parts)
    if (p.name == name)
      return &p;
  return nullptr;
}

Storage mlir::loom::hls::localStorage(int64_t bits, int64_t banks,
                                      bool complete) {
  if (complete)
    return Storage::Registers;
  // Banks of at most 1024 bits go to LUTRAM (distributed RAM), as Vitis
  // does for small arrays; larger ones to block RAM.
  return llvm::divideCeil(bits, banks) > 1024 ? Storage::Bram : Storage::LutRam;
}

int64_t mlir::loom::hls::bramBlocks(int64_t elements, int64_t width) {
  // RAMB18E2 aspect ratios: 16Kx1, 8Kx2, 4Kx4, 2Kx9, 1Kx18, 512x36.
  if (width > 36)
    return llvm::divideCeil(width, 36) * llvm::divideCeil(elements, 512);
  int64_t depth = width <= 1    ? 16384
                  : width <= 2  ? 8192
                  : width <= 4  ? 4096
                  : width <= 9  ? 2048
                  : width <= 18 ? 1024
                                : 512;
  return llvm::divideCeil(elements, depth);
}

Resources mlir::loom::hls::mAxiAdapter() { return {0, 2, 1200, 1600}; }
Resources mlir::loom::hls::controlAdapter() { return {0, 0, 300, 400}; }
Resources mlir::loom::hls::loopControl(int64_t trip) {
  double bits = std::max<int64_t>(1, llvm::Log2_64_Ceil(trip + 1));
  return {0, 0, 2 * bits + 10, bits + 2};
}

namespace {
OpCost cost(int64_t latency, double dsp, double lut, double ff) {
  return {latency, {dsp, 0, lut, ff}};
}

/// Single-precision operators (UltraScale+, full-DSP implementations).
std::optional<OpCost> floatCost(StringRef kind) {
  return llvm::StringSwitch<std::optional<OpCost>>(kind)
      .Case("add", cost(4, 2, 214, 227))
      .Case("mul", cost(3, 3, 128, 143))
      .Case("div", cost(10, 0, 800, 1200))
      .Case("sqrt", cost(10, 0, 500, 700))
      .Case("rsqrt", cost(12, 0, 650, 900))
      .Case("exp", cost(10, 7, 900, 900))
      .Case("log", cost(13, 4, 1000, 1100))
      .Case("tanh", cost(26, 9, 2200, 2300))
      .Case("erf", cost(26, 9, 2200, 2300))
      .Case("pow", cost(26, 11, 2000, 2100))
      .Case("cmp", cost(1, 0, 66, 0))
      .Case("max", cost(1, 0, 100, 32))
      .Case("neg", cost(0, 0, 0, 0))
      .Case("select", cost(0, 0, 32, 0))
      .Case("shift", cost(1, 0, 40, 32))
      .Case("itof", cost(4, 0, 220, 230))
      .Case("ftoi", cost(2, 0, 150, 100))
      .Case("fext", cost(1, 0, 50, 32))
      .Default(std::nullopt);
}

/// A W x W multiplier on DSP48E2 (27 x 18) slices.
OpCost multiplier(int64_t w) {
  double dsp = llvm::divideCeil(w, 27) * llvm::divideCeil(w, 18);
  return cost(dsp <= 1 ? 2 : 3, dsp, w, 2 * w);
}

/// Integer (and ap_fixed) operators of width `w`.
std::optional<OpCost> intCost(StringRef kind, int64_t w, bool constantShift) {
  if (kind == "add" || kind == "neg")
    return cost(1, 0, w, w);
  if (kind == "cmp")
    return cost(1, 0, w, 1);
  if (kind == "max")
    return cost(1, 0, 2 * w, w);
  if (kind == "select")
    return cost(0, 0, w, 0);
  if (kind == "mul")
    return multiplier(w);
  if (kind == "idiv") // radix-2 restoring divider, one bit a cycle
    return cost(w + 3, 0, w * w / 2 + w, w * w / 2);
  if (kind == "shift") // constant: wiring; variable: a barrel shifter
    return constantShift ? cost(0, 0, 0, 0)
                         : cost(1, 0, w * llvm::Log2_64_Ceil(w), w);
  if (kind == "free")
    return cost(0, 0, 0, 0);
  return std::nullopt;
}

bool isConstant(Value v) { return getConstantIntValue(v).has_value(); }

int64_t bitWidth(Type t) {
  if (t.isIndex())
    return 64;
  return t.isIntOrFloat() ? t.getIntOrFloatBitWidth() : 32;
}
} // namespace

std::optional<OpCost> mlir::loom::hls::opCost(Operation *op,
                                              const Precision &precision,
                                              Storage storage) {
  if (isa<memref::LoadOp>(op)) {
    switch (storage) {
    case Storage::MAxi:
      return cost(64, 0, 0, 0); // the INTERFACE m_axi latency assumed
    case Storage::Bram:
      return cost(2, 0, 0, 0);
    case Storage::LutRam:
    case Storage::Stream:
      return cost(1, 0, 0, 0);
    case Storage::Registers:
      return cost(0, 0, 0, 0);
    }
  }
  if (isa<memref::StoreOp>(op))
    return cost(1, 0, 0, 0);
  if (isa<arith::ConstantOp, scf::YieldOp, memref::AllocaOp,
          memref::GetGlobalOp, memref::CastOp, memref::SubViewOp,
          memref::CollapseShapeOp, memref::ExpandShapeOp,
          memref::ReinterpretCastOp, memref::DimOp>(op) ||
      op->getName().getStringRef() == "func.return" ||
      op->getName().getStringRef() == "affine.apply")
    return cost(0, 0, 0, 0);

  Type type = op->getNumResults() ? op->getResult(0).getType()
                                  : op->getOperand(0).getType();
  if (isa<arith::CmpFOp, arith::CmpIOp, arith::FPToSIOp, arith::FPToUIOp>(op) ||
      op->getName().getStringRef() == "hls.shift")
    type = op->getOperand(0).getType();
  // Address arithmetic on index values is absorbed into the loop counters
  // and address generators (costed per loop by loopControl).
  if (type.isIndex() || isa<arith::IndexCastOp, arith::IndexCastUIOp>(op))
    return cost(0, 0, 0, 0);

  StringRef name = op->getName().getStringRef();
  StringRef kind =
      llvm::StringSwitch<StringRef>(name)
          .Cases({"arith.addf", "arith.subf", "arith.addi", "arith.subi"},
                 "add")
          .Cases({"arith.mulf", "arith.muli"}, "mul")
          .Case("arith.divf", "div")
          .Cases({"arith.divsi", "arith.divui", "arith.remsi", "arith.remui",
                  "arith.floordivsi", "arith.ceildivsi"},
                 "idiv")
          .Cases({"arith.negf", "math.absf", "math.absi"}, "neg")
          .Cases({"arith.maximumf", "arith.minimumf", "arith.maxnumf",
                  "arith.minnumf", "arith.maxsi", "arith.minsi", "arith.maxui",
                  "arith.minui"},
                 "max")
          .Cases({"arith.cmpf", "arith.cmpi"}, "cmp")
          .Case("arith.select", "select")
          .Cases({"arith.andi", "arith.ori", "arith.xori"}, "select")
          .Cases({"arith.shli", "arith.shrsi", "arith.shrui", "hls.shift"},
                 "shift")
          .Case("math.exp", "exp")
          .Cases({"math.log", "math.log2", "math.log1p"}, "log")
          .Case("math.sqrt", "sqrt")
          .Case("math.rsqrt", "rsqrt")
          .Case("math.tanh", "tanh")
          .Case("math.erf", "erf")
          .Case("math.powf", "pow")
          .Cases({"arith.sitofp", "arith.uitofp"}, "itof")
          .Cases({"arith.fptosi", "arith.fptoui"}, "ftoi")
          .Cases({"arith.extf", "arith.truncf"}, "fext")
          .Cases(
              {"arith.extsi", "arith.extui", "arith.trunci", "arith.bitcast"},
              "free")
          .Default("");
  if (kind.empty())
    return std::nullopt;

  bool isFloatData = isa<FloatType>(type);
  bool constantShift =
      op->getNumOperands() == 2 && isConstant(op->getOperand(1));
  if (!isFloatData || kind == "idiv" || kind == "free")
    return intCost(kind, bitWidth(type), constantShift);
  if (!precision.fixed)
    return floatCost(kind);

  // ap_fixed<W,I> data: exact fixed arithmetic for +, -, *, max/min,
  // compares and shifts; the rest is computed in float between two
  // conversions (the contract's fixed-point semantics).
  int64_t w = precision.width;
  if (kind == "fext")
    return cost(0, 0, 0, 0); // f16 and f32 are both data_t
  if (kind == "shift" || kind == "add" || kind == "neg" || kind == "cmp" ||
      kind == "max" || kind == "select" || kind == "mul")
    return intCost(kind, w, constantShift);
  std::optional<OpCost> f = floatCost(kind);
  if (!f)
    return std::nullopt;
  OpCost in = *floatCost("itof"), out = *floatCost("ftoi");
  if (kind == "itof" || kind == "ftoi")
    return cost(in.latency + out.latency, 0, in.res.lut + out.res.lut,
                in.res.ff + out.res.ff);
  OpCost total = *f;
  total.latency += in.latency + out.latency;
  total.res += in.res;
  total.res += out.res;
  return total;
}
