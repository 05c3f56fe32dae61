# Helpers shared by Loom's CMake files.

# loom_add_library(name SRCS... [DEPENDS tgt...] [LINK_LIBS lib...])
# A static library of Loom code linked against the shared libMLIR.so and libLLVM.so,
# so that tools link quickly on small machines.
function(loom_add_library name)
  cmake_parse_arguments(ARG "" "" "DEPENDS;LINK_LIBS" ${ARGN})
  add_library(${name} STATIC ${ARG_UNPARSED_ARGUMENTS})
  if(ARG_DEPENDS)
    add_dependencies(${name} ${ARG_DEPENDS})
  endif()
  target_link_libraries(${name} PUBLIC ${ARG_LINK_LIBS} MLIR LLVM)
endfunction()

# loom_add_tool(name SRCS... [LINK_LIBS lib...])
function(loom_add_tool name)
  cmake_parse_arguments(ARG "" "" "LINK_LIBS" ${ARGN})
  add_executable(${name} ${ARG_UNPARSED_ARGUMENTS})
  target_link_libraries(${name} PRIVATE ${ARG_LINK_LIBS} MLIR LLVM)
endfunction()
