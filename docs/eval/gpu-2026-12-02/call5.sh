# Session 18, call 5: a timing ablation of one block's chain at 324 × 1 and 1 092 × 1 (ablation-skips.patch, not on
# main): steps with one kind of launch left out (-Dmdm.jcuda.skip=NAME; the outputs are garbage, the times what the
# launch costs the chain): add+RMSNorm, in_proj's GEMM, dt, the conv (+ weights), the walk, the walk and the output
# kernel, out_proj; the full step before and after.
# tools/gpu/pack.sh; bash docs/eval/gpu-2026-12-02/call5.sh $OUT/call5
keep=$1
out=/tmp/call5
. docs/eval/gpu-2026-12-02/lib.sh
gpu_state
# skip_step NAME [SKIP]: StepBenchmark's 324 × 1 and 1 092 × 1 rows with those launches left out
skip_step() {
  MDM_JAVA_OPTS="${2:+-Dmdm.jcuda.skip=$2}" timeout 90 bash $run dev.mdm.backend.jcuda.bench.StepBenchmark \
    --repeats 20 --only 324x1,1092x1 --out "$out/$1.json" > "$out/$1.log" 2>&1
  echo "$1 exit $?"
  grep -E '^ +[0-9]+ x' "$out/$1.log" | sed "s/^/$1 /"
}
skip_step full
for s in addnorm inproj dt conv walk ssd outproj; do skip_step "skip-$s" "$s"; done
skip_step full2
gpu_state
mkdir -p "$keep" && cp "$out"/*.json "$keep"/ && tar czf "$keep/logs.tgz" -C "$out" .
