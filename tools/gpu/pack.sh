#!/usr/bin/env bash
# Packs what a run on the GPU machine needs into .gpu/ at the root of the current checkout (worktree-safe), small
# enough for the device tool's 64 MiB limit: a jlinked Java 25 runtime (xz), the runtime jars of mdm-backend-jcuda
# (jcuda natives cut down to the driver binding), optionally mdm-examples (for `mdm train|eval --backend jcuda`) and
# the test classes with the JUnit console.
#   tools/gpu/pack.sh [--tests] [--examples] [--data | --data=train] [--baseline=REV]
# On the GPU machine:  bash .gpu/run.sh --tests ...  |  bash .gpu/run.sh MAIN_CLASS args  (see run.sh)
#   and, packed with --tests --baseline=REV: bash .gpu/compare.sh $OUT (tests, then both builds timed; see compare.sh)
# --baseline=REV adds mdm-backend-jcuda built at git revision REV as .gpu/baseline/mdm-backend-jcuda.jar (1.5 MB), so
# that one call can time the working tree and REV side by side: MDM_JCUDA_JAR=.gpu/baseline/mdm-backend-jcuda.jar
# bash .gpu/run.sh ... runs with it in place of the packed jar.
# --data writes the Fashion-MNIST IDX files (xz, 26 MB with the test split) to .gpu-data/ instead: with the examples
# and the tracked tree they would pass the 64 MiB that one call carries. Carry [".gpu-data"] in a first call that runs
# `bash .gpu-data/unpack.sh` (to /tmp/fashion-mnist), then carry [".gpu"] in the next call, before the machine's idle
# release (30 s), so that both land on the same machine.
set -euo pipefail
tests=0 examples=0 data=0 baseline=
for a in "$@"; do
  case $a in
    --tests) tests=1 ;; --examples) examples=1 ;; --data) data=all ;; --data=train) data=train ;;
    --baseline=?*) baseline=${a#--baseline=} ;;
    *) echo "pack: unknown option '$a' (expected --tests, --examples, --data, --data=train or --baseline=REV)" >&2; exit 2 ;;
  esac
done
jdk=${MDM_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}
root=$(git rev-parse --show-toplevel)
cd "$root"
if [ -n "$baseline" ]; then  # checked before anything is built or removed
  rev=$(git rev-parse -q --verify "$baseline^{commit}") || { echo "pack: --baseline: no such revision '$baseline'" >&2; exit 2; }
fi
exclude=$(git rev-parse --git-path info/exclude)
for path in /.gpu/ /.gpu-data/; do
  grep -qxF "$path" "$exclude" 2>/dev/null || echo "$path" >> "$exclude"
done
mkdir -p .gpu
if [ ! -f .gpu/jre.txz ]; then
  tmp=$(mktemp -d)
  # uncompressed modules: xz over the whole tree packs tighter than jlink's zip; java.desktop for the PNG charts,
  # jdk.jfr to profile a run there (-XX:StartFlightRecording in MDM_JAVA_OPTS)
  "$jdk/bin/jlink" --add-modules java.base,java.logging,java.management,java.naming,java.sql,java.xml,java.desktop,jdk.unsupported,jdk.jfr \
    --strip-debug --no-header-files --no-man-pages --compress zip-0 --output "$tmp/mdm-jre"
  tar cf - -C "$tmp" mdm-jre | xz -9 -T2 > .gpu/jre.txz
  rm -rf "$tmp"
fi
export JAVA_HOME=$jdk
modules=mdm-backend-jcuda
[ $examples = 1 ] && modules=$modules,mdm-examples
rm -rf .gpu/lib .gpu/test-classes .gpu/tools .gpu/baseline
mkdir -p .gpu/lib .gpu/tools
scope=runtime
[ $tests = 1 ] && scope=test
# byte-buddy (8 MB) only serves AssertJ's soft assertions and assumptions, which the jcuda tests do not use: without it
# the test pack and the tracked tree fit the 64 MiB the device tool carries (224 tests passed so, session 5)
drop=pytorch-native-cpu,onnxruntime,onnxruntime_gpu,tribuo-util-onnx,mdm-backend-onnx,mdm-backend-djl,pytorch-engine,pytorch-jni,jazzer,jazzer-api,jazzer-junit,byte-buddy
# what neither `mdm train` nor `mdm eval` loads: test-only jars, Guice (MdmModule), XChart's PDF/SVG/GIF writers
[ $tests = 1 ] || drop=$drop,assertj-core,junit-jupiter-params,protobuf-java,guava,guice,checker-qual,error_prone_annotations,pdfbox,pdfbox-io,fontbox,graphics2d,VectorGraphics2D,commons-logging,animated-gif-lib
# one reactor, so the class path names this build's module jars, not snapshots in ~/.m2
mvn -q -B -o -pl "$modules" -am -DskipTests package dependency:build-classpath -Dmdep.includeScope=$scope \
  -Dmdep.outputFile=target/gpu-classpath.txt
for m in ${modules//,/ }; do
  tr ':' '\n' < "$m/target/gpu-classpath.txt"; echo
  ls "$m"/target/"$m"-*.jar
done | sort -u | while read -r jar; do
  name=$(basename "$jar")
  case ",$drop," in *",${name%%-[0-9]*},"*) continue ;; esac
  case $jar in *.jar) cp "$jar" .gpu/lib/ ;; esac
done
# the shipped demo model is not needed there (a run trains or loads its own), nor JCuda's NVPTX/cuFFT/... bindings
[ $examples = 1 ] && zip -q -d .gpu/lib/mdm-examples-*.jar 'dev/mdm/examples/model/fashion.safetensors' || true
natives=$(ls .gpu/lib/jcuda-natives-*.jar)
keep=$(unzip -Z1 "$natives" | grep -v -e '/$' -e 'JCudaDriver' -e 'META-INF' || true)
[ -z "$keep" ] || zip -q -d "$natives" $keep
# the GPU machine is linux-x86_64: other platforms' native libraries are dead weight under the size limit
for jar in .gpu/lib/sentencepiece-*.jar .gpu/lib/jna-*.jar; do
  [ -f "$jar" ] || continue
  other=$(unzip -Z1 "$jar" | grep -E '^(native/lib/|com/sun/jna/)[^/]+/[^/]+\.(so|a|dll|dylib|jnilib)$' | grep -v -e 'linux-x86_64/' -e 'linux-x86-64/' || true)
  [ -z "$other" ] || zip -q -d "$jar" $other
done
if [ $tests = 1 ]; then
  cp -r mdm-backend-jcuda/target/test-classes .gpu/test-classes
  platform=$(ls .gpu/lib | sed -n 's/^junit-platform-engine-\(.*\)\.jar$/\1/p' | head -1)
  mvn -q -B -o dependency:copy -Dartifact="org.junit.platform:junit-platform-console-standalone:$platform" -DoutputDirectory="$root/.gpu/tools"
else
  mkdir -p .gpu/test-classes
fi
if [ $data != 0 ]; then
  rm -rf .gpu-data
  mkdir -p .gpu-data
  files="train-images-idx3-ubyte train-labels-idx1-ubyte"
  [ $data = all ] && files="$files t10k-images-idx3-ubyte t10k-labels-idx1-ubyte"
  for f in $files; do
    zcat "/usr/share/datasets/fashion-mnist/$f.gz" | xz -9 -T2 > ".gpu-data/$f.xz"
  done
  cp tools/gpu/unpack.sh .gpu-data/unpack.sh
  echo "pack: .gpu-data is $(du -sm .gpu-data | cut -f1) MiB; carry it alone first: bash .gpu-data/unpack.sh"
fi
if [ -n "$baseline" ]; then
  tree=$(mktemp -d)
  git worktree add -q --detach "$tree/src" "$rev"
  (cd "$tree/src" && mvn -q -B -o -pl mdm-backend-jcuda -am -DskipTests package)
  mkdir -p .gpu/baseline
  cp "$tree"/src/mdm-backend-jcuda/target/mdm-backend-jcuda-*.jar .gpu/baseline/mdm-backend-jcuda.jar
  git worktree remove --force "$tree/src"
  rm -rf "$tree"
  echo "pack: .gpu/baseline/mdm-backend-jcuda.jar is mdm-backend-jcuda at $rev"
fi
cp tools/gpu/run.sh .gpu/run.sh
cp tools/gpu/compare.sh .gpu/compare.sh
echo "pack: .gpu is $(du -sm .gpu | cut -f1) MiB; with the tracked tree $(( ($(du -sb .gpu | cut -f1) + $(git ls-files -z | xargs -0 du -cb | tail -1 | cut -f1)) / 1048576 )) MiB of the 64 MiB that travel"
