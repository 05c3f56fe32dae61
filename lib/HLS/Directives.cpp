//===- Directives.cpp - loom-hls-directives -------------------------------===//
//
// Attaches the directive attributes of the HLS contract to loop IR: the top
// function, PIPELINE on the innermost loops, UNROLL and the ARRAY_PARTITION
// of the local arrays the unrolled copies read (docs/HLSEstimator.md).
//
//===----------------------------------------------------------------------===//

#include "loom/HLS/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/MapVector.h"

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_LOOMHLSDIRECTIVES
#include "loom/HLS/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;
using namespace mlir::loom;

namespace {

/// True when `v` is `iv` or computed from it by operations of the loop body
/// (address arithmetic such as `iv + c` or `iv * s + o`).
bool dependsOn(Value v, Value iv, int depth = 0) {
  if (v == iv)
    return true;
  Operation *def = v.getDefiningOp();
  if (!def || depth > 8)
    return false;
  return llvm::any_of(def->getOperands(), [&](Value operand) {
    return dependsOn(operand, iv, depth + 1);
  });
}

struct DirectivesPass
    : public loom::impl::LoomHLSDirectivesBase<DirectivesPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (ii < 1) {
      module.emitError("loom-hls-directives: ii must be >= 1, got ")
          << static_cast<int64_t>(ii);
      return signalPassFailure();
    }
    if (unroll < 0) {
      module.emitError("loom-hls-directives: unroll must be >= 0 (0 = full, "
                       "1 = none), got ")
          << static_cast<int64_t>(unroll);
      return signalPassFailure();
    }
    if (!top.empty()) {
      auto func = module.lookupSymbol<func::FuncOp>(top);
      if (!func || func.isExternal()) {
        module.emitError("loom-hls-directives: top='")
            << top << "' names no function with a body in this module";
        return signalPassFailure();
      }
    }

    Builder b(&getContext());
    bool failed = false;
    // alloca -> (1-based dim -> partition factor; 0 = complete).
    llvm::MapVector<Operation *, std::map<int64_t, int64_t>> partitions;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      if (top.empty() ? func.isPublic() : func.getSymName() == top)
        func->setAttr("hls.top", b.getUnitAttr());
      func.walk([&](scf::ForOp loop) {
        std::optional<int64_t> trip;
        if (std::optional<APInt> t = loop.getStaticTripCount())
          trip = t->getSExtValue();
        else if (auto attr = loop->getAttrOfType<IntegerAttr>("hls.trip_count"))
          trip = attr.getInt();
        if (!trip) {
          loop.emitError("HLS needs a trip count: this loop's bounds are not "
                         "constants (set hls.trip_count or make them static)");
          failed = true;
          return;
        }
        bool innermost = true;
        loop.getBody()->walk([&](scf::ForOp) { innermost = false; });
        if (!innermost)
          return;
        loop->setAttr("hls.pipeline_ii", b.getI64IntegerAttr(ii));
        ++numPipelined;
        if (unroll == 1)
          return;
        loop->setAttr("hls.unroll", b.getI64IntegerAttr(unroll));
        Value iv = loop.getInductionVar();
        auto note = [&](Value memref, ValueRange indices) {
          auto alloca = memref.getDefiningOp<memref::AllocaOp>();
          if (!alloca)
            return;
          ArrayRef<int64_t> shape = alloca.getType().getShape();
          for (auto [d, index] : llvm::enumerate(indices)) {
            if (!dependsOn(index, iv))
              continue;
            int64_t factor = unroll;
            if (unroll == 0 || factor >= shape[d] || factor >= *trip)
              factor = 0; // complete
            // Complete (0) wins; otherwise the largest factor asked for.
            auto [it, inserted] = partitions[alloca].try_emplace(d + 1, factor);
            if (!inserted)
              it->second = (it->second == 0 || factor == 0)
                               ? 0
                               : std::max(it->second, factor);
          }
        };
        loop.getBody()->walk([&](Operation *op) {
          if (auto load = dyn_cast<memref::LoadOp>(op))
            note(load.getMemRef(), load.getIndices());
          else if (auto store = dyn_cast<memref::StoreOp>(op))
            note(store.getMemRef(), store.getIndices());
        });
      });
    }
    if (failed)
      return signalPassFailure();

    for (auto &[op, dims] : partitions) {
      auto alloca = cast<memref::AllocaOp>(op);
      ArrayRef<int64_t> shape = alloca.getType().getShape();
      SmallVector<Attribute> entries;
      for (auto [dim, factor] : dims) {
        bool complete = factor == 0;
        NamedAttribute fields[] = {
            b.getNamedAttr("dim", b.getI64IntegerAttr(dim)),
            b.getNamedAttr("factor", b.getI64IntegerAttr(
                                         complete ? shape[dim - 1] : factor)),
            b.getNamedAttr("type",
                           b.getStringAttr(complete ? "complete" : "cyclic"))};
        entries.push_back(b.getDictionaryAttr(fields));
      }
      alloca->setAttr("hls.array_partition", b.getArrayAttr(entries));
      ++numPartitioned;
    }
  }
};
} // namespace
