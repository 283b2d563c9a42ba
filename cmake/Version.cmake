# version.cc is regenerated on every build (cmake -P) so the git revision is never stale, and
# rewritten only when its text changes so nothing relinks needlessly.
execute_process(COMMAND ${CMAKE_CXX_COMPILER} -dumpmachine
  OUTPUT_VARIABLE PIFLEET_TARGET_TRIPLE OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT CMAKE_BUILD_TYPE)
  set(CMAKE_BUILD_TYPE Release)
endif()
set(PIFLEET_VERSION_CC ${CMAKE_BINARY_DIR}/generated/version.cc)
add_custom_target(pifleet_version_gen
  COMMAND ${CMAKE_COMMAND}
    -DSOURCE_DIR=${CMAKE_SOURCE_DIR} -DOUT=${PIFLEET_VERSION_CC}
    -DVERSION=${PROJECT_VERSION} -DBUILD_TYPE=${CMAKE_BUILD_TYPE}
    -DTRIPLE=${PIFLEET_TARGET_TRIPLE}
    -P ${CMAKE_SOURCE_DIR}/cmake/WriteVersion.cmake
  BYPRODUCTS ${PIFLEET_VERSION_CC}
  COMMENT "pifleet: stamping version")
