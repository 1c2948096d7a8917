# Session 17, call 4: the counting walk its own instantiation (ssd_chunk_state_scan*_counted; the other is v33's
# walk, PTX-identical) and used from 16 chunks a sequence (mdm.jcuda.readyMinChunks): every jcuda test, then steps
# as built, counted at every length (=1), never (=100000) and v33's jar (f9ef718).
# tools/gpu/pack.sh --tests --baseline=f9ef718; bash docs/eval/gpu-2026-12-01/call4.sh $OUT/call4
keep=$1
out=/tmp/call4
. docs/eval/gpu-2026-12-01/lib.sh
begin_call
step step-new 90
step step-always 90 -Dmdm.jcuda.readyMinChunks=1
step step-never 90 -Dmdm.jcuda.readyMinChunks=100000
step step-v33 90 "" .gpu/baseline/mdm-backend-jcuda.jar
step step-new2 90
step step-never2 90 -Dmdm.jcuda.readyMinChunks=100000
step step-v33b 90 "" .gpu/baseline/mdm-backend-jcuda.jar
end_call
