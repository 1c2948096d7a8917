package dev.mdm.examples.eval;

import dev.mdm.InvalidInputException;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * The Fréchet distance between two Gaussians fitted to feature sets (FID's formula, in any feature space):
 * d² = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁^½ Σ₂ Σ₁^½)^½).
 *
 * <p>Computed with symmetric eigen-decompositions (EJML), never with a general matrix square root: Σ₁^½ = V diag(√λ) Vᵀ
 * from Σ₁'s eigenpairs, then Tr((Σ₁^½ Σ₂ Σ₁^½)^½) = Σ √λᵢ over the eigenvalues of the symmetric positive
 * semi-definite Σ₁^½ Σ₂ Σ₁^½, which equals Tr((Σ₁Σ₂)^½). Eigenvalues that round-off makes slightly negative are
 * taken as 0, so a singular covariance (fewer samples than dimensions) still gives a finite, real distance.
 */
public final class FrechetDistance {
    private FrechetDistance() {
    }

    /**
     * @param a statistics of one set
     * @param b statistics of the other, same dimension
     * @return the Fréchet distance d² (≥ 0, like FID, the squared form)
     */
    public static double between(FeatureStatistics a, FeatureStatistics b) {
        if (a == null || b == null) {
            throw new InvalidInputException("statistics", "two FeatureStatistics", a + ", " + b);
        }
        int d = a.dimension();
        if (b.dimension() != d) {
            throw new InvalidInputException("b", "statistics of dimension " + d, "dimension " + b.dimension());
        }
        double[] ma = a.mean();
        double[] mb = b.mean();
        double meanTerm = 0;
        for (int i = 0; i < d; i++) {
            meanTerm += (ma[i] - mb[i]) * (ma[i] - mb[i]);
        }
        DMatrixRMaj sa = new DMatrixRMaj(a.covariance());
        DMatrixRMaj sb = new DMatrixRMaj(b.covariance());
        DMatrixRMaj rootA = symmetricSquareRoot(sa);
        DMatrixRMaj tmp = new DMatrixRMaj(d, d);
        DMatrixRMaj inner = new DMatrixRMaj(d, d);
        CommonOps_DDRM.mult(rootA, sb, tmp);
        CommonOps_DDRM.mult(tmp, rootA, inner);
        symmetrize(inner);
        double traceRoot = 0;
        for (double lambda : eigenvalues(inner)) {
            traceRoot += Math.sqrt(Math.max(lambda, 0));
        }
        double distance = meanTerm + CommonOps_DDRM.trace(sa) + CommonOps_DDRM.trace(sb) - 2 * traceRoot;
        // round-off can leave a tiny negative value for (nearly) identical sets
        return Math.max(distance, 0);
    }

    /**
     * @param m a symmetric positive semi-definite matrix (not modified)
     * @return its symmetric square root V diag(√max(λ, 0)) Vᵀ
     */
    static DMatrixRMaj symmetricSquareRoot(DMatrixRMaj m) {
        int d = m.numRows;
        DMatrixRMaj copy = m.copy();
        symmetrize(copy);
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(d, true, true);
        if (!eig.decompose(copy)) {
            throw new ArithmeticException("the eigen-decomposition of a " + d + "×" + d + " covariance did not converge");
        }
        DMatrixRMaj root = new DMatrixRMaj(d, d);
        for (int k = 0; k < eig.getNumberOfEigenvalues(); k++) {
            double s = Math.sqrt(Math.max(eig.getEigenvalue(k).real, 0));
            DMatrixRMaj v = eig.getEigenVector(k);
            for (int i = 0; i < d; i++) {
                double vi = v.get(i, 0) * s;
                for (int j = 0; j < d; j++) {
                    root.add(i, j, vi * v.get(j, 0));
                }
            }
        }
        return root;
    }

    private static double[] eigenvalues(DMatrixRMaj symmetric) {
        int d = symmetric.numRows;
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(d, false, true);
        if (!eig.decompose(symmetric.copy())) {
            throw new ArithmeticException("the eigen-decomposition of a " + d + "×" + d + " matrix did not converge");
        }
        double[] out = new double[eig.getNumberOfEigenvalues()];
        for (int k = 0; k < out.length; k++) {
            out[k] = eig.getEigenvalue(k).real;
        }
        return out;
    }

    /** Averages M with its transpose, removing the asymmetry that products of symmetric matrices pick up in round-off. */
    private static void symmetrize(DMatrixRMaj m) {
        int d = m.numRows;
        for (int i = 0; i < d; i++) {
            for (int j = i + 1; j < d; j++) {
                double v = 0.5 * (m.get(i, j) + m.get(j, i));
                m.set(i, j, v);
                m.set(j, i, v);
            }
        }
    }
}
