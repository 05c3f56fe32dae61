//===- EstimateModel.h - the latency and resource model ---------*- C++ -*-===//
//
// The model of loom-hls-estimate (docs/HLSEstimator.md): per function, the
// latency of its loop IR and the resources of its operators, arrays and
// interfaces, from trip counts, the directive attributes and the cost table.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_HLS_ESTIMATEMODEL_H
#define LOOM_LIB_HLS_ESTIMATEMODEL_H

#include "CostTable.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/MapVector.h"

#include <memory>
#include <string>
#include <vector>

namespace mlir {
namespace loom {
namespace hls {

struct LoopReport {
  std::string loc;
  int64_t level = 0, trip = 0, unroll = 1, latency = 0, iteration = 0;
  // Pipelined loops: the requested II, the recurrence and memory-port
  // bounds, and the achieved II (the largest of the three); 0 otherwise.
  int64_t iiRequested = 0, recurrenceII = 0, portII = 0, ii = 0;
};

struct FuncReport {
  std::string name, role;
  int64_t latency = 0, interval = 0;
  Resources res;
  std::vector<LoopReport> loops;
};

/// What a block (one iteration of a loop body) costs.

struct BlockCost {
  int64_t latency = 0;
  Resources res;
  /// Accesses per execution, by memref: (reads, writes).
  llvm::MapVector<Value, std::pair<int64_t, int64_t>> access;
};

class Estimator {
public:
  explicit Estimator(const Precision &precision) : precision(precision) {}

  /// Estimates `func` (memoised); failure after a diagnostic.
  FailureOr<FuncReport *> estimate(func::FuncOp func);

  /// The top functions: their memref arguments are m_axi interfaces.
  DenseSet<Operation *> tops;

private:
  FailureOr<BlockCost> block(Block &body, bool unrolled);
  FailureOr<BlockCost> loop(scf::ForOp loop, bool unrolled);
  int64_t recurrence(scf::ForOp loop);
  int64_t path(Block &body, Value from, Value to);
  FailureOr<int64_t> latencyOf(Operation *op);
  void classify(func::FuncOp func);
  Storage storage(Value memref) const;
  int64_t ports(Value memref, int64_t reads, int64_t writes) const;

  const Precision &precision;
  DenseMap<Operation *, std::unique_ptr<FuncReport>> reports;
  DenseSet<Operation *> inProgress;
  DenseMap<Value, Storage> storageOf;
  DenseMap<Value, int64_t> banksOf;
  DenseMap<Operation *, int64_t> loopLatency;
  FuncReport *current = nullptr;
  int64_t level = 0;
};

} // namespace hls
} // namespace loom
} // namespace mlir

#endif // LOOM_LIB_HLS_ESTIMATEMODEL_H
