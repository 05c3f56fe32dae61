//===- Policy.cpp - Per-layer precision policies --------------------------===//

#include "loom/Quantization/Policy.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::loom;

FailureOr<PrecisionPolicy> mlir::loom::readPrecisionPolicy(Operation *diagOp,
                                                           StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return diagOp->emitError() << "cannot read policy '" << path
                               << "': " << buffer.getError().message();
  llvm::Expected<llvm::json::Value> json =
      llvm::json::parse((*buffer)->getBuffer());
  if (!json)
    return diagOp->emitError()
           << "policy '" << path
           << "' is not JSON: " << llvm::toString(json.takeError());
  auto fail = [&](const Twine &what) {
    return diagOp->emitError() << "policy '" << path << "': " << what;
  };
  const llvm::json::Object *root = json->getAsObject();
  if (!root)
    return fail("the top level must be an object");
  PrecisionPolicy policy;
  if (std::optional<StringRef> scheme = root->getString("scheme"))
    policy.scheme = scheme->str();
  const llvm::json::Array *layers = root->getArray("layers");
  if (!layers)
    return fail("missing array 'layers'");
  for (auto [i, entry] : llvm::enumerate(*layers)) {
    const llvm::json::Object *layer = entry.getAsObject();
    std::optional<StringRef> name =
        layer ? layer->getString("name") : std::nullopt;
    if (!name)
      return fail("layers[" + Twine(i) + "] needs a string 'name'");
    LayerPolicy p;
    if (const llvm::json::Value *bits = layer->get("bits")) {
      std::optional<int64_t> b = bits->getAsInteger();
      if (!b || *b < 1 || *b > 8)
        return fail("layer '" + *name +
                    "': 'bits' must be an integer in "
                    "[1, 8]");
      p.bits = *b;
    }
    if (const llvm::json::Value *skip = layer->get("skip")) {
      std::optional<bool> s = skip->getAsBoolean();
      if (!s)
        return fail("layer '" + *name + "': 'skip' must be true or false");
      p.skip = *s;
    }
    if (!p.skip && !p.bits)
      return fail("layer '" + *name + "' needs 'bits' or \"skip\": true");
    if (!policy.layers.try_emplace(*name, p).second)
      return fail("layer '" + *name + "' is listed twice");
  }
  return policy;
}

LogicalResult mlir::loom::writeJsonFile(Operation *diagOp, StringRef path,
                                        const llvm::json::Value &value) {
  std::string temp = (path + ".tmp").str();
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(temp, ec);
    if (ec)
      return diagOp->emitError()
             << "cannot write '" << path << "': " << ec.message();
    os << llvm::formatv("{0:2}", value) << "\n";
    os.close();
    if (os.has_error()) {
      llvm::sys::fs::remove(temp);
      return diagOp->emitError()
             << "cannot write '" << path << "': " << os.error().message();
    }
  }
  if (std::error_code ec = llvm::sys::fs::rename(temp, path)) {
    llvm::sys::fs::remove(temp);
    return diagOp->emitError()
           << "cannot write '" << path << "': " << ec.message();
  }
  return success();
}
