# Session 17, call 13: v34 with the two-head output kernel at every length (-Dmdm.jcuda.twoHeadMinChunks=1: 324 × 1
# has 6 chunks, below the default 16) against v34 as built, twice each, alternating; no tests (call 5 ran them).
# tools/gpu/pack.sh; bash docs/eval/gpu-2026-12-01/call13.sh $OUT/call13
keep=$1
out=/tmp/call13
. docs/eval/gpu-2026-12-01/lib.sh
gpu_state
step step-new 90
step step-twohead 90 -Dmdm.jcuda.twoHeadMinChunks=1
step step-new2 90
step step-twohead2 90 -Dmdm.jcuda.twoHeadMinChunks=1
end_call
