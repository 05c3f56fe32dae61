//===- BCQMatmulToHLS.cpp - Binary-coded weights as table lookups ---------===//
//
// loom.bcq_matmul (ShiftAddLLM, the form loom-shiftadd{mode=bcq} produces)
// on f32 as lookups and adds. For each row m of x:
//   1. table[c][t] = (((0 +- x[8c]) +- x[8c+1]) ... +- x[8c+7]) for every
//      byte c of the row and every bit pattern t (256 entries; bit j set
//      means +x[8c+j]);
//   2. y[m,n] = sum_i sum_G shift(sum_c table[G*g/8 + c][planes[i,n,..]],
//      e[i,n,G]): each packed weight byte is one lookup, each group scale a
//      power of two (hls.shift).
// The table of one row is [K/8, 256] f32, reused by every row: the additions
// are those of the op's definition in its order (bytes in ascending j,
// groups' bytes in ascending c, then i and G ascending), so the result has
// the reference's bits. A table per group only ([g/8, 256]) would need the
// group loop outside the plane loop, which changes the summation order the
// op defines.
//
//===----------------------------------------------------------------------===//

#include "LoomToHLS.h"
#include "hls/IR/HLSOps.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::hlsform;

std::optional<std::string> mlir::loom::whyBCQMatmulUnsupported(BCQMatmulOp op) {
  if (!hasStaticShapes(op))
    return "dynamic shapes";
  Type f32 = Float32Type::get(op.getContext());
  if (!isTensorOf(op.getInput(), f32) || !isTensorOf(op.getOutput(), f32))
    return "an input or result other than f32";
  return std::nullopt;
}

void mlir::loom::lowerBCQMatmulToHLS(RewriterBase &rewriter, BCQMatmulOp op) {
  Location loc = op.getLoc();
  auto inputType = cast<RankedTensorType>(op.getInput().getType());
  auto planesType = cast<RankedTensorType>(op.getPlanes().getType());
  int64_t m = inputType.getDimSize(0), k = inputType.getDimSize(1);
  int64_t q = planesType.getDimSize(0), n = planesType.getDimSize(1);
  int64_t groupSize = op.getGroupSize();
  int64_t groups = k / groupSize, bytesPerGroup = groupSize / 8;
  Type f32 = rewriter.getF32Type();
  Type i32 = rewriter.getI32Type();
  Value x = op.getInput(), planes = op.getPlanes();
  Value exponents = op.getScaleExponents();
  Value zero = f32Const(rewriter, loc, 0.0f);
  Value eight = indexConst(rewriter, loc, 8);
  Value bytesPerGroupV = indexConst(rewriter, loc, bytesPerGroup);
  Value one32 =
      arith::ConstantOp::create(rewriter, loc, rewriter.getI32IntegerAttr(1));

  Value out =
      tensor::EmptyOp::create(rewriter, loc, ArrayRef<int64_t>{m, n}, f32);
  Value table = tensor::EmptyOp::create(rewriter, loc,
                                        ArrayRef<int64_t>{k / 8, 256}, f32);

  // table[c][t] of row `row`.
  auto buildTable = [&](OpBuilder &b, Location l, Value row, Value tableIn) {
    return forLoop(
        b, l, k / 8, {tableIn},
        [&](OpBuilder &cb, Location cl, Value c, ValueRange tc) {
          Value base = arith::MulIOp::create(cb, cl, c, eight);
          return SmallVector<Value>(forLoop(
              cb, cl, 256, tc,
              [&](OpBuilder &tb, Location tl, Value t, ValueRange tt) {
                Value pattern = arith::IndexCastOp::create(tb, tl, i32, t);
                Value sum = forLoop(
                    tb, tl, 8, {zero},
                    [&](OpBuilder &jb, Location jl, Value j, ValueRange s) {
                      Value xj = tensor::ExtractOp::create(
                          jb, jl, x,
                          ValueRange{row,
                                     arith::AddIOp::create(jb, jl, base, j)});
                      Value bit = arith::AndIOp::create(
                          jb, jl,
                          arith::ShRUIOp::create(
                              jb, jl, pattern,
                              arith::IndexCastOp::create(jb, jl, i32, j)),
                          one32);
                      Value set = arith::CmpIOp::create(
                          jb, jl, arith::CmpIPredicate::ne, bit,
                          arith::ConstantOp::create(jb, jl,
                                                    jb.getI32IntegerAttr(0)));
                      Value term = arith::SelectOp::create(
                          jb, jl, set, xj, arith::NegFOp::create(jb, jl, xj));
                      return SmallVector<Value>{
                          arith::AddFOp::create(jb, jl, s[0], term)};
                    })[0];
                return SmallVector<Value>{tensor::InsertOp::create(
                    tb, tl, sum, tt[0], ValueRange{c, t})};
              }));
        })[0];
  };

  // y[row, col] from the row's table.
  auto outputElement = [&](OpBuilder &b, Location l, Value row, Value col,
                           Value rowTable) -> Value {
    return forLoop(
        b, l, q, {zero},
        [&](OpBuilder &ib, Location il, Value i, ValueRange yi) {
          return SmallVector<Value>(forLoop(
              ib, il, groups, yi,
              [&](OpBuilder &gb, Location gl, Value g, ValueRange yg) {
                Value first = arith::MulIOp::create(gb, gl, g, bytesPerGroupV);
                Value groupSum = forLoop(
                    gb, gl, bytesPerGroup, {zero},
                    [&](OpBuilder &cb, Location cl, Value c, ValueRange s) {
                      Value byteIndex = arith::AddIOp::create(cb, cl, first, c);
                      Value byte = tensor::ExtractOp::create(
                          cb, cl, planes, ValueRange{i, col, byteIndex});
                      Value pattern = arith::IndexCastUIOp::create(
                          cb, cl, cb.getIndexType(), byte);
                      Value entry = tensor::ExtractOp::create(
                          cb, cl, rowTable, ValueRange{byteIndex, pattern});
                      return SmallVector<Value>{
                          arith::AddFOp::create(cb, cl, s[0], entry)};
                    })[0];
                Value e = arith::ExtSIOp::create(
                    gb, gl, i32,
                    tensor::ExtractOp::create(gb, gl, exponents,
                                              ValueRange{i, col, g}));
                Value scaled = hls::ShiftOp::create(gb, gl, f32, groupSum, e);
                return SmallVector<Value>{
                    arith::AddFOp::create(gb, gl, yg[0], scaled)};
              }));
        })[0];
  };

  ValueRange results =
      forLoop(rewriter, loc, m, {out, table},
              [&](OpBuilder &b, Location l, Value row, ValueRange it) {
                Value rowTable = buildTable(b, l, row, it[1]);
                Value written = forLoop(
                    b, l, n, {it[0]},
                    [&](OpBuilder &nb, Location nl, Value col, ValueRange o) {
                      Value y = outputElement(nb, nl, row, col, rowTable);
                      return SmallVector<Value>{tensor::InsertOp::create(
                          nb, nl, y, o[0], ValueRange{row, col})};
                    })[0];
                return SmallVector<Value>{written, rowTable};
              });
  rewriter.replaceOp(op, results[0]);
}
