# Read by cpack when it runs (CPACK_PROJECT_CONFIG_FILE). dpkg-shlibdeps computes Depends for
# the host architecture unless told otherwise: for the arm64 package it must read the binary
# with aarch64-linux-gnu-objdump and look the libraries up among the :arm64 packages.
set(ENV{DEB_HOST_ARCH} "${CPACK_DEBIAN_PACKAGE_ARCHITECTURE}")
