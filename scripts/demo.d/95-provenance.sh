# Provenance: an artifact of the sample (a source tarball from `git archive`), the CycloneDX SBOM
# of maestro-ci's own environment, the in-toto/SLSA statement plus the decisions statement for
# the artifact, and their verification. Nothing is opened; the paths are printed.
mkdir -p "$SAMPLE/dist" "$OUT/dist"
echo "dist/" >> "$SAMPLE/.git/info/exclude"
(cd "$SAMPLE" && git archive --format=tar.gz --prefix=shop/ -o dist/shop-src.tar.gz HEAD)
"$MAESTRO" sbom --environment "$ROOT/.venv" --out "$OUT/sbom.cdx.json"
"$MAESTRO" provenance -C "$SAMPLE" --subject dist/shop-src.tar.gz --run "$OUT/runs/demo" \
  --sbom "$OUT/sbom.cdx.json" --out "$OUT/provenance.intoto.json" \
  || "$MAESTRO" provenance -C "$SAMPLE" --subject dist/shop-src.tar.gz --run "$OUT/runs/demo" \
    --sbom "$OUT/sbom.cdx.json" --out "$OUT/provenance.intoto.json" --allow-broken
cp "$SAMPLE/dist/shop-src.tar.gz" "$OUT/dist/"
"$MAESTRO" provenance verify -C "$OUT" provenance.intoto.json --subject dist/shop-src.tar.gz
echo "demo: tampering with the artifact is caught (exit 1 expected):"
mkdir -p "$WORK/tampered"
cp "$OUT/dist/shop-src.tar.gz" "$WORK/tampered/"
echo "extra" >> "$WORK/tampered/shop-src.tar.gz"
"$MAESTRO" provenance verify provenance.intoto.json -C "$OUT" --subject "$WORK/tampered/shop-src.tar.gz" \
  || echo "demo: verification failed as it should for a changed artifact"
echo "demo: provenance written:"
echo "  SLSA provenance    $OUT/provenance.intoto.json"
echo "  decisions          $OUT/provenance.decisions.intoto.json"
echo "  SBOM (CycloneDX)   $OUT/sbom.cdx.json"
echo "  artifact           $OUT/dist/shop-src.tar.gz"
echo "  summary (HTML)     $OUT/summary.html"
