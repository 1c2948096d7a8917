// 04 · Writing a backend and proving it with the TCK. The backend below delegates everything to the float64 reference
// backend except one method, Backend.scoreEntropy, which it computes itself in plain Java from SPEC §7. The
// compatibility kit (dev.mdm.tck.BackendCompatibilityKit) then checks it against the oracle through the JUnit
// Platform launcher, exactly as `mdm tck --backend NAME` does; a deliberately broken variant fails the kit's rule.
// Run it: bin/notebook mdm-examples/notebooks/04-write-a-backend.jsh

import dev.mdm.*;
import dev.mdm.model.*;
import dev.mdm.sampling.*;
import dev.mdm.spi.*;
import dev.mdm.tensor.Tensor;
import dev.mdm.tck.reference.ReferenceBackendProvider;
import dev.mdm.examples.tck.KitLauncher;
import java.util.*;

// log-softmax in place: v ← v − log Σ exp(v), with the max subtracted first for stability
static void logSoftmax(double[] v) {
    double max = Arrays.stream(v).max().orElseThrow(), sum = 0;
    for (double x : v) sum += Math.exp(x - max);
    double log = max + Math.log(sum);
    for (int i = 0; i < v.length; i++) v[i] -= log;
}

// Score entropy per token (SPEC §7), from log-softmax values. broken = true drops the K(r) term, a plausible slip.
static Tensor plainScoreEntropy(Tensor zt, Tensor zhat0, Tensor candidates, Tensor alphaBar, boolean broken) {
    int m = zt.dim(0), dz = zt.dim(1), k = candidates.dim(1);
    zhat0.requireShape("zhat0", m, dz);
    candidates.requireShape("candidates", m, k, dz);
    alphaBar.requireShape("alphaBar", m);
    double[] z = zt.toDoubleArray(), zh = zhat0.toDoubleArray(), y = candidates.toDoubleArray(), ab = alphaBar.toDoubleArray();
    double[] se = new double[m];
    for (int n = 0; n < m; n++) {
        double a = ab[n];
        double[] logR = new double[k], logS = new double[k];
        for (int j = 0; j < k; j++) {
            double dr = 0, ds = 0;
            for (int d = 0; d < dz; d++) {
                double yk = y[(n * k + j) * dz + d];
                dr += Math.pow(z[n * dz + d] - Math.sqrt(a) * yk, 2);
                ds += Math.pow(zh[n * dz + d] - yk, 2);
            }
            logR[j] = -dr / (2 * (1 - a));
            logS[j] = -a * ds / (2 * (1 - a));
        }
        logSoftmax(logR);
        logSoftmax(logS);
        double sum = 0;
        for (int j = 0; j < k; j++) {
            double r = Math.exp(logR[j]), s = Math.exp(logS[j]);
            double kr = r == 0 ? 0 : r * (logR[j] - 1);          // K(a) = a(log a − 1), K(0) = 0
            sum += s - r * logS[j] + (broken ? 0 : kr);
        }
        se[n] = sum / k;
    }
    return Tensor.of(se, m);
}

// The backend: every method but scoreEntropy forwards to the reference backend.
class PlainSeBackend implements Backend {
    final Backend reference;
    final boolean broken;
    PlainSeBackend(BackendContext context, boolean broken) {
        this.reference = new ReferenceBackendProvider().create(context);
        this.broken = broken;
    }
    public String name() { return broken ? "plain-se-broken" : "plain-se"; }
    public String version() { return "0.1 (notebook 04)"; }
    public Device device() { return reference.device(); }
    public Precision precision() { return reference.precision(); }
    public Set<Capability> capabilities() { return reference.capabilities(); }
    public Tensor ssd(SsdRequest request) { return reference.ssd(request); }
    public MambaMixer mambaMixer(MambaShape shape, Parameters weights) { return reference.mambaMixer(shape, weights); }
    public ScanSwitch scanSwitch(MdmConfig config) { return reference.scanSwitch(config); }
    public Tensor scoreEntropy(Tensor zt, Tensor zhat0, Tensor candidates, Tensor alphaBar) {
        return plainScoreEntropy(zt, zhat0, candidates, alphaBar, broken);   // the one method this backend computes
    }
    public Sampler sampler(SamplerSettings settings, double[] betas) { return reference.sampler(settings, betas); }
    public ModelRuntime load(MdmConfig config, Parameters parameters) { return reference.load(config, parameters); }
    public void close() { reference.close(); }
}

// Its provider: what BackendRegistry finds through META-INF/services in a real module.
class PlainSeProvider implements BackendProvider {
    final boolean broken;
    PlainSeProvider(boolean broken) { this.broken = broken; }
    public String name() { return broken ? "plain-se-broken" : "plain-se"; }
    public int priority() { return 1; }
    public Availability probe() { return new ReferenceBackendProvider().probe(); }
    public Backend create(BackendContext context) { return new PlainSeBackend(context, broken); }
}

// It runs models like any backend:
var mdm = MDM.builder().backend(new PlainSeProvider(false)).config(MdmConfig.tiny()).build();
System.out.println(mdm);
mdm.close();

// The kit, limited to the score-entropy rule and the SSD rule (the whole kit takes about 6 s on the reference:
// KitLauncher.run(provider) with no rule ids, or `mdm tck --backend NAME` for a registered backend).
var good = KitLauncher.run(new PlainSeProvider(false), "MDM-LOSS-003", "MDM-SSD-001");
System.out.println(good.summary());
if (!good.passed()) throw new AssertionError("the plain score entropy should pass");

// The broken variant fails MDM-LOSS-003, and the failure says which values are off.
var bad = KitLauncher.run(new PlainSeProvider(true), "MDM-LOSS-003");
System.out.println(bad.summary());
if (bad.passed() || bad.failures().stream().noneMatch(o -> o.rules().contains("MDM-LOSS-003")))
    throw new AssertionError("the broken score entropy must fail MDM-LOSS-003");
