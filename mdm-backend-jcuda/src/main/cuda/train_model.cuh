// Training kernels: model (see TRAINING.md). Included by mdm_kernels.cu.
#pragma once
