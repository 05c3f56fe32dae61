//===- CostTable.h - per-operation HLS cost table ---------------*- C++ -*-===//
//
// The documented per-operation latency and resource figures of
// loom-hls-estimate (docs/HLSEstimator.md lists every entry), the FPGA parts
// and the data precision the figures depend on.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_HLS_COSTTABLE_H
#define LOOM_LIB_HLS_COSTTABLE_H

#include "loom/HLS/Precision.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/StringRef.h"

#include <optional>

namespace mlir {
namespace loom {
namespace hls {

/// FPGA resources: DSP slices, 18 Kb block RAMs, LUTs and flip-flops.
struct Resources {
  double dsp = 0, bram = 0, lut = 0, ff = 0;
  Resources &operator+=(const Resources &o) {
    dsp += o.dsp;
    bram += o.bram;
    lut += o.lut;
    ff += o.ff;
    return *this;
  }
  Resources operator*(double k) const {
    return {dsp * k, bram * k, lut * k, ff * k};
  }
};

/// One operator: its pipeline latency in cycles and its resources.
struct OpCost {
  int64_t latency = 0;
  Resources res;
};

/// The data type of the f32 values of loop IR (module attr hls.precision).
/// The data type of the HLS code (loom/HLS/Precision.h).
using Precision = ::mlir::loom::HLSPrecision;

/// An FPGA part: the device totals and the default clock of the model.
struct Part {
  llvm::StringRef name, device;
  int64_t dsp, bram, lut, ff;
  int64_t defaultMHz;
};
const Part *lookupPart(llvm::StringRef name);

/// Where a memref lives: a top-function argument (m_axi), a local array in
/// block RAM, in LUTRAM, in registers, or a stream FIFO.
enum class Storage { MAxi, Bram, LutRam, Registers, Stream };

/// Storage and port count of a local array of `bits` bits in `banks`
/// partition banks (`complete`: every element its own register).
Storage localStorage(int64_t bits, int64_t banks, bool complete);
/// BRAM_18K blocks of one bank of `elements` elements of `width` bits.
int64_t bramBlocks(int64_t elements, int64_t width);

/// Fixed costs: m_axi adapter per argument, s_axilite control per top,
/// loop control per loop level of `trip` iterations.
Resources mAxiAdapter();
Resources controlAdapter();
Resources loopControl(int64_t trip);

/// The cost of `op`; `storage` is the storage of the memref it accesses
/// (loads and stores only). std::nullopt when the table has no entry.
std::optional<OpCost> opCost(Operation *op, const Precision &precision,
                             Storage storage);

/// Latency of the store-to-load turnaround on a memory recurrence.
constexpr int64_t kMemoryTurnaround = 1;

} // namespace hls
} // namespace loom
} // namespace mlir

#endif // LOOM_LIB_HLS_COSTTABLE_H
