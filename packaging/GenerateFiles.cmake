# cmake -P: the package's generated files, written by the pifleet binary itself so they cannot
# drift from the CLI (`pifleet man`, `pifleet completion SHELL`), plus the gzipped changelog.
# -DPIFLEET=binary -DEMULATOR=qemu-aarch64-static (cross builds; empty otherwise)
# -DCHANGELOG=packaging/deb/changelog -DOUT=dir
function(run_pifleet out)
  execute_process(COMMAND ${EMULATOR} ${PIFLEET} ${ARGN}
    OUTPUT_FILE ${out} ERROR_VARIABLE err RESULT_VARIABLE rc)
  file(SIZE ${out} bytes)
  if(NOT rc EQUAL 0 OR bytes EQUAL 0)
    message(FATAL_ERROR "`pifleet ${ARGN}` failed (exit ${rc}): ${err}")
  endif()
endfunction()

function(gzip_n in out)  # -n: no name or time stamp, so the package is reproducible
  execute_process(COMMAND gzip -9nc ${in} OUTPUT_FILE ${out} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "gzip ${in} failed")
  endif()
endfunction()

file(MAKE_DIRECTORY ${OUT})
run_pifleet(${OUT}/pifleet.1 man)
gzip_n(${OUT}/pifleet.1 ${OUT}/pifleet.1.gz)
run_pifleet(${OUT}/pifleet.bash completion bash)
run_pifleet(${OUT}/_pifleet completion zsh)
run_pifleet(${OUT}/pifleet.fish completion fish)
gzip_n(${CHANGELOG} ${OUT}/changelog.Debian.gz)
