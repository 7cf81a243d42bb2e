#!/bin/sh
# Runs one scenario script (sourced) with the steps below. Every step appends `TRUTH key=value`
# lines to /out/truth.txt (what the machine did, established without virtcheck) or writes
# virtcheck's outputs beside them; lab/check.py compares the two on the host.
#   sh /lab/lib.sh /out/scenario.sh
set -u
OUT=/out
TRUTH=$OUT/truth.txt
: > "$TRUTH"
echo running > "$OUT/status"

truth() { echo "TRUTH $*" | tee -a "$TRUTH"; }
step() { echo "== $*"; }

# Loads modules; a module that does not load is a recorded fact, not an error of the lab.
load() {
  for m in "$@"; do
    if modprobe $m 2>&1; then truth "module_${m%% *}=loaded"; else truth "module_${m%% *}=refused"; fi
  done
}

# A minimal KVM guest through the lab's own program (as USER when given).
truth_kvm() {
  step "truth: kvm guest${1:+ as $1}"
  if [ -n "${1:-}" ]; then
    su -s /bin/sh "$1" -c /lab/kvmguest | sed "s/^TRUTH /TRUTH $1_/" | tee -a "$TRUTH"
  else
    /lab/kvmguest | tee -a "$TRUTH"
  fi
  truth "dev_kvm=$( [ -e /dev/kvm ] && echo present || echo absent)"
}

# An L2 guest whose CPUID is what KVM offers executes VMRUN.
truth_nested() {
  step "truth: nested VMRUN"
  for p in /sys/module/kvm_amd/parameters/nested /sys/module/kvm_intel/parameters/nested; do
    [ -f "$p" ] && truth "param_nested=$(cat $p)"
  done
  /lab/kvmguest nested | tee -a "$TRUTH"
}

# The IOMMU as the kernel set it up: units, groups, interrupt remapping.
truth_iommu() {
  step "truth: iommu"
  truth "iommu_units=$(ls /sys/class/iommu 2>/dev/null | tr '\n' ',' )"
  truth "iommu_groups=$(ls /sys/kernel/iommu_groups 2>/dev/null | wc -l)"
  if dmesg | grep -qE 'Enabled IRQ remapping|Interrupt remapping enabled'; then truth "irq_remapping=on"; else truth "irq_remapping=off"; fi
}

# The address of the first function with VENDOR:DEVICE, behind a bridge when BEHIND=1.
find_pci() {
  for d in /sys/bus/pci/devices/*; do
    [ "$(cat $d/vendor):$(cat $d/device)" = "$1" ] || continue
    case "$(basename $d)" in 0000:00:*) [ "${2:-0}" = 1 ] && continue ;; esac
    basename "$d"; return 0
  done
  return 1
}

# SR-IOV: ask the PF for N VFs through sriov_numvfs and count the functions that appear.
truth_sriov() {
  pf=$1; n=$2
  step "truth: sriov $pf $n"
  truth "sriov_totalvfs_$pf=$(cat /sys/bus/pci/devices/$pf/sriov_totalvfs 2>/dev/null || echo none)"
  if echo "$n" > /sys/bus/pci/devices/$pf/sriov_numvfs; then
    truth "sriov_numvfs_$pf=$(cat /sys/bus/pci/devices/$pf/sriov_numvfs)"
    truth "sriov_vfs_$pf=$(ls -d /sys/bus/pci/devices/$pf/virtfn* 2>/dev/null | wc -l)"
  else
    truth "sriov_numvfs_$pf=refused"
  fi
}

# FLR through sysfs: select the flr method and reset; the kernel does the FLR or refuses.
truth_flr() {
  dev=$1
  step "truth: flr $dev"
  methods=$(cat /sys/bus/pci/devices/$dev/reset_method 2>/dev/null)
  truth "reset_methods_$dev=$(echo $methods | tr ' ' ',')"
  if echo flr > /sys/bus/pci/devices/$dev/reset_method 2>/dev/null && echo 1 > /sys/bus/pci/devices/$dev/reset 2>/dev/null; then
    truth "flr_$dev=done"
  else
    truth "flr_$dev=refused"
  fi
  echo "$methods" > /sys/bus/pci/devices/$dev/reset_method 2>/dev/null
}

# Bind a function to vfio-pci and open its group through VFIO (the lab's own program).
truth_vfio() {
  dev=$1
  step "truth: vfio $dev"
  # vfio pulls vfio_iommu_type1 in by a softdep, which busybox modprobe does not follow.
  modprobe vfio_pci; modprobe vfio_iommu_type1
  d=/sys/bus/pci/devices/$dev
  echo vfio-pci > $d/driver_override
  [ -e $d/driver ] && echo $dev > $d/driver/unbind
  echo $dev > /sys/bus/pci/drivers_probe
  truth "driver_$dev=$(basename $(readlink $d/driver) 2>/dev/null)"
  group=$(basename "$(readlink $d/iommu_group)" 2>/dev/null)
  if [ -z "$group" ]; then truth "vfio_group_$dev=none"; return; fi
  truth "vfio_group_$dev=$group"
  /lab/vfiogroup "$group" "$dev" | sed "s/^TRUTH vfio_/TRUTH vfio_${dev}_/" | tee -a "$TRUTH"
}

# virtcheck as LABEL: the JSON report (exit code beside it), the snapshot, and the outputs of
# extra subcommands. USER runs it without root.
virtcheck_check() {
  label=$1; user=${2:-}
  step "virtcheck check ($label)"
  if [ -n "$user" ]; then
    # The share is root's: the user writes under /tmp and root copies the report out.
    su -s /bin/sh "$user" -c "/lab/virtcheck check --format json --output /tmp/check-$label.json"
    echo $? > $OUT/check-$label.rc
    cp /tmp/check-$label.json $OUT/
  else
    /lab/virtcheck check --format json --output $OUT/check-$label.json
    echo $? > $OUT/check-$label.rc
  fi
}

virtcheck_capture() {
  step "virtcheck capture"
  /lab/virtcheck capture --output $OUT/capture.json; echo $? > $OUT/capture.rc
  /lab/cpuiddump > $OUT/cpuid-r.txt
}

virtcheck_verify() {
  virtcheck_verify_against_kvm
  virtcheck_verify_on_cpu
}

virtcheck_verify_against_kvm() {
  step "virtcheck verify --against-kvm"
  /lab/virtcheck verify --against-kvm --format json > $OUT/verify-against-kvm.json 2> $OUT/verify-against-kvm.err
  rc=$?
  if [ $rc = 3 ] && grep -q "time limit" $OUT/verify-against-kvm.err; then
    # virtcheck's own 30 s limit for the program child: a loaded host slows TCG that much.
    # One more try, recorded (lab/check.py reports it), never silent.
    echo "verify --against-kvm: $(cat $OUT/verify-against-kvm.err); tried again" >> $OUT/retries.txt
    /lab/virtcheck verify --against-kvm --format json > $OUT/verify-against-kvm.json 2> $OUT/verify-against-kvm.err
    rc=$?
  fi
  echo $rc > $OUT/verify-against-kvm.rc
}

virtcheck_verify_on_cpu() {
  # verify --on-cpu: the SVM vectors as guest code through this machine's KVM (JSON for the
  # check, then the text the docs quote).
  step "virtcheck verify --on-cpu"
  /lab/virtcheck verify --on-cpu --format json > $OUT/verify-on-cpu.json 2> $OUT/verify-on-cpu.err; echo $? > $OUT/verify-on-cpu.rc
  /lab/virtcheck verify --on-cpu > $OUT/verify-on-cpu.txt 2>&1
}

# What users paste: Debian's `lspci -vvv` and `lspci -xxxx` as root, after the truth steps (VFs
# enabled, vfio-pci bound). The kernel log is written by /init after the script (dmesg.txt), so
# it holds every step's messages. scripts/lab --texts keeps them under Data/hosts/NAME/.
capture_texts() {
  step "lspci -vvv, lspci -xxxx"
  lspci -vvv > $OUT/lspci-vvv.txt 2> $OUT/lspci-vvv.err; echo $? > $OUT/lspci-vvv.rc
  lspci -xxxx > $OUT/lspci-xxxx.txt 2> $OUT/lspci-xxxx.err; echo $? > $OUT/lspci-xxxx.rc
}

# The files virtcheck reads under --root, copied into a small tree (lab/capture keeps it).
copy_root() {
  step "copy --root tree"
  r=$OUT/root
  mkdir -p $r/proc/sys/kernel $r/sys/devices/system/cpu $r/sys/firmware/acpi/tables $r/sys/bus/pci/devices
  for f in cmdline cpuinfo interrupts sys/kernel/osrelease; do cat /proc/$f > $r/proc/$f; done
  cat /sys/devices/system/cpu/online > $r/sys/devices/system/cpu/online
  for t in DMAR IVRS; do [ -f /sys/firmware/acpi/tables/$t ] && cat /sys/firmware/acpi/tables/$t > $r/sys/firmware/acpi/tables/$t; done
  cp $OUT/cpuid-r.txt $r/cpuid-r.txt 2>/dev/null
  for d in /sys/bus/pci/devices/*; do
    a=$(basename $d); t=$r/sys/bus/pci/devices/$a; mkdir -p $t
    for f in vendor device class numa_node enable reset_method sriov_totalvfs sriov_numvfs; do
      [ -f $d/$f ] && cat $d/$f > $t/$f 2>/dev/null
    done
    cat $d/config > $t/config
    for l in driver iommu_group physfn; do
      [ -L $d/$l ] && ln -s "$(readlink $d/$l)" $t/$l
    done
  done
  if [ -d /sys/kernel/iommu_groups ]; then
    for g in /sys/kernel/iommu_groups/*; do
      n=$(basename $g); mkdir -p $r/sys/kernel/iommu_groups/$n/devices
      [ -f $g/type ] && cat $g/type > $r/sys/kernel/iommu_groups/$n/type
      for dv in $g/devices/*; do ln -s ../../../../bus/pci/devices/$(basename $dv) $r/sys/kernel/iommu_groups/$n/devices/$(basename $dv); done
    done
  fi
  for u in /sys/class/iommu/*; do
    [ -e "$u" ] || continue
    n=$(basename $u)
    for drv in intel-iommu amd-iommu; do
      [ -d $u/$drv ] || continue
      mkdir -p $r/sys/class/iommu/$n/$drv
      for f in cap ecap version features; do [ -f $u/$drv/$f ] && cat $u/$drv/$f > $r/sys/class/iommu/$n/$drv/$f; done
    done
    mkdir -p $r/sys/class/iommu/$n/devices
    for dv in $u/devices/*; do [ -e "$dv" ] && ln -s ../../../../bus/pci/devices/$(basename $dv) $r/sys/class/iommu/$n/devices/$(basename $dv); done
  done
  for m in /sys/module/kvm* /sys/module/vfio* /sys/module/msr; do
    [ -d "$m" ] || continue
    n=$(basename $m); mkdir -p $r/sys/module/$n
    if [ -d $m/parameters ]; then
      mkdir -p $r/sys/module/$n/parameters
      for p in $m/parameters/*; do cat $p > $r/sys/module/$n/parameters/$(basename $p) 2>/dev/null; done
    fi
  done
  [ -e /dev/vfio/vfio ] && mkdir -p $r/dev/vfio && : > $r/dev/vfio/vfio
}

. "$1"
echo complete > "$OUT/status"
