# CTC_SANITIZE: a list of sanitizers for a test build of the CPU backend,
# e.g. -DCTC_SANITIZE="address;undefined" or -DCTC_SANITIZE=thread
# (tools/sanitize.sh configures both). Every target is compiled and linked
# with them; undefined behaviour aborts (no recovery) so a test fails on it.
# -g1: line tables only, all a report's stack needs (file:line per frame);
# full -g made these builds about a third slower to compile.
set(CTC_SANITIZE "" CACHE STRING "Sanitizers for a test build: address;undefined, or thread")
if(CTC_SANITIZE)
  if(CTC_CUDA)
    message(FATAL_ERROR "ctcscope: CTC_SANITIZE is for the CPU build; configure with -DCTC_CUDA=OFF")
  endif()
  list(JOIN CTC_SANITIZE "," _ctc_sanitizers)
  set(_ctc_sanitize_flags -fsanitize=${_ctc_sanitizers} -fno-omit-frame-pointer -g1)
  if("undefined" IN_LIST CTC_SANITIZE)
    list(APPEND _ctc_sanitize_flags -fno-sanitize-recover=undefined)
  endif()
  add_compile_options(${_ctc_sanitize_flags})
  add_link_options(${_ctc_sanitize_flags})
  message(STATUS "ctcscope: sanitizers ${_ctc_sanitizers}")
endif()
