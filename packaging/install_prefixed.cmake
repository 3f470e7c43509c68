# Run at install time (install(SCRIPT)): writes the files whose place or content depends on the
# prefix actually used, CMAKE_INSTALL_PREFIX as the install sees it (cmake --install --prefix,
# or cpack with CPACK_SET_DESTDIR). file(INSTALL) puts DESTDIR in front of every destination.
set(prefix "${CMAKE_INSTALL_PREFIX}")
if(prefix STREQUAL "/usr")
  set(unitdir /lib/systemd/system)
  set(sysconfdir /etc)
  set(sysusersdir /usr/lib/sysusers.d)
else()
  set(unitdir ${prefix}/lib/systemd/system)
  set(sysconfdir ${prefix}/etc)
  set(sysusersdir ${prefix}/lib/sysusers.d)
endif()
set(GT_SBINDIR ${prefix}/${GT_PKG_SBIN})
set(GT_LIBEXECDIR ${prefix}/${GT_PKG_LIBEXEC})
set(GT_SYSCONFDIR ${sysconfdir})

# A directory of its own for each install: installs may run at the same time (tests).
string(RANDOM LENGTH 12 tag)
set(GT_PKG_STAGE ${GT_PKG_STAGE}-${tag})
file(MAKE_DIRECTORY ${GT_PKG_STAGE})
configure_file(${GT_PKG_SRC}/systemd/gtsync-server.service.in ${GT_PKG_STAGE}/gtsync-server.service
               @ONLY)
configure_file(${GT_PKG_SRC}/systemd/gtsync-backup.service.in ${GT_PKG_STAGE}/gtsync-backup.service
               @ONLY)
configure_file(${GT_PKG_SRC}/nightly-backup.in ${GT_PKG_STAGE}/nightly-backup @ONLY)
configure_file(${GT_PKG_SRC}/systemd/gtsync.sysusers ${GT_PKG_STAGE}/gtsync.conf COPYONLY)
configure_file(${GT_PKG_SRC}/default-gtsync-server ${GT_PKG_STAGE}/gtsync-server COPYONLY)

file(INSTALL DESTINATION ${unitdir} TYPE FILE
     FILES ${GT_PKG_STAGE}/gtsync-server.service ${GT_PKG_STAGE}/gtsync-backup.service
           ${GT_PKG_SRC}/systemd/gtsync-backup.timer)
file(INSTALL DESTINATION ${sysusersdir} TYPE FILE FILES ${GT_PKG_STAGE}/gtsync.conf)
file(INSTALL DESTINATION ${GT_LIBEXECDIR}/gtsync TYPE PROGRAM FILES ${GT_PKG_STAGE}/nightly-backup)
file(INSTALL DESTINATION ${sysconfdir}/default TYPE FILE FILES ${GT_PKG_STAGE}/gtsync-server)
file(REMOVE_RECURSE ${GT_PKG_STAGE})
