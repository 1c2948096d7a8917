# Session 16, call 1 (issue 5): is any cuBLASLt configuration faster than cublasGemmEx's default for the paper
# preset's projections at 324, 1 092 and 2 592 tokens? Built here, run there with no .gpu:
# nvcc -O2 -arch=sm_90 -o docs/eval/gpu-2026-11-30/gemm_search docs/eval/gpu-2026-11-30/gemm_search.cu -ldl
nvidia-smi --query-gpu=name,temperature.gpu,clocks.sm,clocks.max.sm --format=csv
./docs/eval/gpu-2026-11-30/gemm_search 12 > $OUT/gemm-search.txt 2>&1
