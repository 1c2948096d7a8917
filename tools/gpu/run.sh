#!/usr/bin/env bash
# Runs on the GPU machine from the project root, inside what tools/gpu/pack.sh built.
#   bash .gpu/run.sh --tests [JUnit console options]   tests (default: every class in .gpu/test-classes)
#   bash .gpu/run.sh MAIN_CLASS [args]                  a main class on the packed class path
#   MDM_JCUDA_JAR=.gpu/baseline/mdm-backend-jcuda.jar bash .gpu/run.sh ...   the same with pack.sh --baseline's jar
# Fashion-MNIST comes in a call of its own: bash .gpu-data/unpack.sh (see pack.sh), then --fashion-dir /tmp/fashion-mnist.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ -x /tmp/mdm-jre/bin/java ] || tar xJf "$here/jre.txz" -C /tmp
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
java=(/tmp/mdm-jre/bin/java --enable-native-access=ALL-UNNAMED -Xss4m -Dai.djl.offline=true ${MDM_JAVA_OPTS:-})
cp="$here/test-classes$(printf ':%s' "$here"/lib/*.jar)"
if [ -n "${MDM_JCUDA_JAR:-}" ]; then
  # another build of the backend (pack.sh --baseline=REV) in place of the packed one, for same-call comparisons
  [ -f "$MDM_JCUDA_JAR" ] || { echo "run: MDM_JCUDA_JAR names no file: $MDM_JCUDA_JAR" >&2; exit 2; }
  cp="$here/test-classes:$MDM_JCUDA_JAR$(printf ':%s' $(ls "$here"/lib/*.jar | grep -v '/mdm-backend-jcuda-'))"
fi
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
if [ "${1:-}" = "--tests" ]; then
  shift
  launcher=$(ls "$here"/tools/junit-platform-console-standalone-*.jar 2>/dev/null | head -1)
  [ -n "$launcher" ] || { echo "run: no JUnit console launcher packed (pack with --tests)" >&2; exit 2; }
  [ $# -gt 0 ] || set -- --scan-class-path "$here/test-classes"
  exec "${java[@]}" -jar "$launcher" execute --class-path "$cp" --disable-banner --disable-ansi-colors --details=tree "$@"
fi
exec "${java[@]}" -cp "$cp" "$@"
