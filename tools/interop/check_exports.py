# Checks, with the ONNX and safetensors Python packages, files written by the Java SDK.
import json, sys, os
import numpy as np, onnx, onnxruntime as ort
from safetensors.numpy import load_file
from safetensors import safe_open
ok = True
for preset in sys.argv[1:]:
    d = os.path.join("onnx", preset)
    for f in ["denoiser", "encoder_image", "encoder_text", "decoder_image", "decoder_text"]:
        m = onnx.load(os.path.join(d, f + ".onnx"))
        onnx.checker.check_model(m, full_check=True)
        print(preset, f, "onnx.checker full_check OK; opset", m.opset_import[0].version, "ir", m.ir_version)
    cfg = json.load(open(os.path.join(d, "model.json")))["config"]
    sess = ort.InferenceSession(os.path.join(d, "denoiser.onnx"), providers=["CPUExecutionProvider"])
    ref = load_file(os.path.join(d, "java-denoiser-output.safetensors"))
    (x0,) = sess.run(["x0"], {"latents": ref["z"].astype(np.float32), "time_input": np.array([999.0, 500.0]),
                             "class_ids": np.array([3, cfg["classes"]], dtype=np.int64)})
    err = np.linalg.norm(x0 - ref["x0"]) / np.linalg.norm(ref["x0"])
    print(preset, "python onnxruntime", ort.__version__, "denoiser vs Java rel L2", err)
    ok &= err < 1e-5
    ck = os.path.join(d, "checkpoint.safetensors")
    with safe_open(ck, "np") as fh:
        meta = fh.metadata()
        names = list(fh.keys())
    tensors = load_file(ck)
    print(preset, "checkpoint: python safetensors loaded", len(tensors), "tensors;", "metadata keys", sorted(meta))
    ok &= len(names) == len(tensors) and "mdm.config" in meta
print("RESULT", "PASS" if ok else "FAIL")
sys.exit(0 if ok else 1)
