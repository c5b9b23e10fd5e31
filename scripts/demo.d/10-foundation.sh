# Foundation: git state, config validation and the secret scanner on the sample repository.
cat > "$SAMPLE/.maestro.yml" <<'YAML'
version: 1
mask:
  patterns: ['shop-internal-[0-9a-f]{8}']
YAML
(cd "$SAMPLE" && git add .maestro.yml && git commit -q -m "Configure maestro-ci")
"$MAESTRO" git-state -C "$SAMPLE"
"$MAESTRO" validate -C "$SAMPLE" --no-record
"$MAESTRO" secrets scan -C "$SAMPLE" shop tests
echo "demo: a log line with a token, through the masker:"
echo "deploy token=shop-internal-deadbeef Authorization: Bearer abcdefghijklmnop1234" | "$MAESTRO" mask -C "$SAMPLE"
