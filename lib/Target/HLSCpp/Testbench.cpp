//===- Testbench.cpp - The C simulation files of an HLS model -------------===//
//
// What `loomc --target=hls` writes besides the kernel: its header, the
// testbench (not synthesised: it reads and writes .npy files) and
// run_csim.sh, which builds both with g++ against the vendor's headers.
//
//===----------------------------------------------------------------------===//

#include "loom/Target/HLSCpp/HLSTarget.h"

#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::loom;

/// `[2][3]` for shape [2, 3].
static std::string getDims(const TensorSpec &tensor) {
  std::string dims;
  for (int64_t d : tensor.shape)
    dims += "[" + std::to_string(d) + "]";
  return dims;
}

static int64_t getCount(const TensorSpec &tensor) {
  int64_t count = 1;
  for (int64_t d : tensor.shape)
    count *= d;
  return count;
}

/// The top function's parameter list: inputs, then outputs (out-params).
static std::string getParameters(const ModelManifest &manifest) {
  std::string text;
  llvm::raw_string_ostream os(text);
  bool first = true;
  for (const std::vector<TensorSpec> *list :
       {&manifest.inputs, &manifest.outputs})
    for (const TensorSpec &tensor : *list) {
      os << (first ? "" : ", ") << "data_t " << tensor.cName << getDims(tensor);
      first = false;
    }
  return text;
}

std::string mlir::loom::generateHLSKernelHeader(const ModelManifest &manifest,
                                                llvm::StringRef cppType) {
  std::string guard = manifest.name + "_HLS_H";
  for (char &c : guard)
    c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "// " << manifest.name << ".h: the top function of " << manifest.name
     << ".cpp (loomc --target=hls from " << manifest.source << ").\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include \"loom_hls.h\"\n\n"
     << "typedef " << cppType << " data_t;\n\n"
     << "void " << manifest.name << "(" << getParameters(manifest) << ");\n\n"
     << "#endif // " << guard << "\n";
  return text;
}

std::string mlir::loom::generateHLSTestbench(const ModelManifest &manifest,
                                             llvm::StringRef kernelHeader) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "// " << manifest.name << "_tb.cpp: C simulation testbench of "
     << manifest.name << " (loomc --target=hls).\n"
     << "// usage: " << manifest.name
     << "_csim INPUT_DIR OUTPUT_DIR: reads INPUT_DIR/<input>.npy (float32),\n"
     << "// runs the kernel, writes OUTPUT_DIR/<output>.npy (float32).\n"
     << "// Not synthesised.\n"
     << "#include \"" << kernelHeader << "\"\n\n"
     << "#include <cstdint>\n#include <cstdio>\n#include <cstring>\n"
     << "#include <string>\n#include <vector>\n\n";
  // A small .npy reader and writer (format 1.0-3.0, little-endian f4, C
  // order).
  os << R"cpp(static bool readNpy(const std::string &path, std::vector<float> &data,
                    size_t count) {
  FILE *f = std::fopen(path.c_str(), "rb");
  if (!f) {
    std::fprintf(stderr, "error: cannot open %s\n", path.c_str());
    return false;
  }
  unsigned char magic[8];
  uint32_t headerLength = 0;
  bool ok = std::fread(magic, 1, 8, f) == 8 &&
            std::memcmp(magic, "\x93NUMPY", 6) == 0;
  if (ok && magic[6] == 1) {
    unsigned char n[2];
    ok = std::fread(n, 1, 2, f) == 2;
    headerLength = n[0] | (n[1] << 8);
  } else if (ok) {
    unsigned char n[4];
    ok = std::fread(n, 1, 4, f) == 4;
    headerLength = n[0] | (n[1] << 8) | (n[2] << 16) | ((uint32_t)n[3] << 24);
  }
  std::string header(headerLength, '\0');
  ok = ok && std::fread(&header[0], 1, headerLength, f) == headerLength;
  if (!ok || header.find("'descr': '<f4'") == std::string::npos ||
      header.find("'fortran_order': False") == std::string::npos) {
    std::fprintf(stderr, "error: %s: not a C-order float32 .npy file\n",
                 path.c_str());
    std::fclose(f);
    return false;
  }
  size_t open = header.find('('), close = header.find(')');
  size_t elements = 1;
  std::string shape = header.substr(open + 1, close - open - 1);
  for (size_t i = 0; i < shape.size();) {
    if (shape[i] < '0' || shape[i] > '9') {
      ++i;
      continue;
    }
    size_t d = 0;
    while (i < shape.size() && shape[i] >= '0' && shape[i] <= '9')
      d = d * 10 + (shape[i++] - '0');
    elements *= d;
  }
  if (elements != count) {
    std::fprintf(stderr, "error: %s has %zu elements, the kernel takes %zu\n",
                 path.c_str(), elements, count);
    std::fclose(f);
    return false;
  }
  data.resize(count);
  ok = std::fread(data.data(), sizeof(float), count, f) == count;
  std::fclose(f);
  if (!ok)
    std::fprintf(stderr, "error: %s is truncated\n", path.c_str());
  return ok;
}

static bool writeNpy(const std::string &path, const std::vector<float> &data,
                     const std::string &shape) {
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " +
                       shape + ", }";
  while ((10 + header.size() + 1) % 64 != 0)
    header += ' ';
  header += '\n';
  FILE *f = std::fopen(path.c_str(), "wb");
  if (!f) {
    std::fprintf(stderr, "error: cannot write %s\n", path.c_str());
    return false;
  }
  unsigned char prefix[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                              (unsigned char)(header.size() & 0xff),
                              (unsigned char)(header.size() >> 8)};
  bool ok = std::fwrite(prefix, 1, 10, f) == 10 &&
            std::fwrite(header.data(), 1, header.size(), f) == header.size() &&
            std::fwrite(data.data(), sizeof(float), data.size(), f) ==
                data.size();
  ok = std::fclose(f) == 0 && ok;
  if (!ok)
    std::fprintf(stderr, "error: cannot write %s\n", path.c_str());
  return ok;
}

)cpp";
  // Static arrays: a model's tensors may not fit on the stack.
  for (const std::vector<TensorSpec> *list :
       {&manifest.inputs, &manifest.outputs})
    for (const TensorSpec &tensor : *list)
      os << "static data_t " << tensor.cName << getDims(tensor) << ";\n";
  os << "\nint main(int argc, char **argv) {\n"
     << "  if (argc != 3) {\n"
     << "    std::fprintf(stderr, \"usage: %s INPUT_DIR OUTPUT_DIR\\n\", "
        "argv[0]);\n"
     << "    return 2;\n  }\n"
     << "  std::string in = argv[1], out = argv[2];\n"
     << "  std::vector<float> buffer;\n";
  for (const TensorSpec &tensor : manifest.inputs) {
    int64_t count = getCount(tensor);
    os << "  if (!readNpy(in + \"/" << tensor.cName << ".npy\", buffer, "
       << count << "))\n    return 1;\n"
       << "  for (size_t i = 0; i < " << count << "; ++i)\n"
       << "    reinterpret_cast<data_t *>(" << tensor.cName
       << ")[i] = data_t(buffer[i]);\n";
  }
  os << "  " << manifest.name << "(";
  bool first = true;
  for (const std::vector<TensorSpec> *list :
       {&manifest.inputs, &manifest.outputs})
    for (const TensorSpec &tensor : *list) {
      os << (first ? "" : ", ") << tensor.cName;
      first = false;
    }
  os << ");\n";
  for (const TensorSpec &tensor : manifest.outputs) {
    int64_t count = getCount(tensor);
    std::string shape = "(";
    for (int64_t d : tensor.shape)
      shape += std::to_string(d) + ",";
    shape += ")";
    os << "  buffer.resize(" << count << ");\n"
       << "  for (size_t i = 0; i < " << count << "; ++i)\n"
       << "    buffer[i] = static_cast<float>(reinterpret_cast<data_t *>("
       << tensor.cName << ")[i]);\n"
       << "  if (!writeNpy(out + \"/" << tensor.cName << ".npy\", buffer, \""
       << shape << "\"))\n    return 1;\n";
  }
  os << "  std::printf(\"" << manifest.name << ": C simulation wrote "
     << manifest.outputs.size() << " output(s) to %s\\n\", out.c_str());\n"
     << "  return 0;\n}\n";
  return text;
}

std::string mlir::loom::generateHLSCSimScript(const ModelManifest &manifest,
                                              llvm::StringRef apTypesDir) {
  std::string text;
  llvm::raw_string_ostream os(text);
  const std::string &name = manifest.name;
  os << "#!/bin/sh\n"
     << "# C simulation of " << name << " (loomc --target=hls): builds " << name
     << ".cpp and " << name << "_tb.cpp\n"
     << "# with $CXX (default g++) against the vendor's ap_int/ap_fixed/"
        "hls_stream headers\n"
     << "# ($LOOM_HLS_AP_TYPES_DIR, default: those Loom was configured "
        "with) and runs the testbench.\n"
     << "# usage: run_csim.sh INPUT_DIR OUTPUT_DIR  (INPUT_DIR/<input>.npy "
        "float32 -> OUTPUT_DIR/<output>.npy)\n"
     << "set -eu\n"
     << "if [ $# -ne 2 ]; then\n"
     << "  echo \"usage: $0 INPUT_DIR OUTPUT_DIR\" >&2\n  exit 2\nfi\n"
     << "here=$(cd \"$(dirname \"$0\")\" && pwd)\n"
     << "ap_types=${LOOM_HLS_AP_TYPES_DIR:-'" << apTypesDir << "'}\n"
     << "if [ ! -f \"$ap_types/ap_fixed.h\" ]; then\n"
     << "  echo \"run_csim.sh: no ap_fixed.h in '$ap_types': set "
        "LOOM_HLS_AP_TYPES_DIR (pip install hls4ml ships them under "
        "hls4ml/templates/vivado/ap_types)\" >&2\n"
     << "  exit 2\nfi\n"
     << "mkdir -p \"$2\"\n"
     << "${CXX:-g++} -std=c++14 -O2 -I\"$ap_types\" -I\"$here\" \"$here/"
     << name << ".cpp\" \"$here/" << name << "_tb.cpp\" -o \"$2/" << name
     << "_csim\"\n"
     << "\"$2/" << name << "_csim\" \"$1\" \"$2\"\n";
  return text;
}
