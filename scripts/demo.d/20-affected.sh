# Affected-test selection: which tests the feature/discount change can affect, and why.
# The result (mode, selection, each test's import chain) lands in the run folder and the summary.
# --no-cache keeps the sample's work tree clean for later steps (the cache lives in .maestro/).
"$MAESTRO" affected -C "$SAMPLE" --base main --no-cache
echo "demo: the same selection as pytest arguments:"
"$MAESTRO" affected -C "$SAMPLE" --base main --no-cache --no-record --format pytest-args
echo "demo: why one test was selected:"
"$MAESTRO" affected -C "$SAMPLE" --base main --no-cache --explain tests/test_payments.py::test_card
echo "demo: a change to payments only (a side branch, read from git without checking it out):"
PAYMENTS_TREE=$(git -C "$SAMPLE" show main:shop/payments.py | sed 's/"card"/"card", "voucher"/' | git -C "$SAMPLE" hash-object -w --stdin)
git -C "$SAMPLE" read-tree --index-output="$WORK/affected.idx" main
GIT_INDEX_FILE="$WORK/affected.idx" git -C "$SAMPLE" update-index --cacheinfo 100644,"$PAYMENTS_TREE",shop/payments.py
NEW_TREE=$(GIT_INDEX_FILE="$WORK/affected.idx" git -C "$SAMPLE" write-tree)
NEW_COMMIT=$(git -C "$SAMPLE" commit-tree "$NEW_TREE" -p main -m "Accept vouchers")
git -C "$SAMPLE" update-ref refs/heads/demo/payments "$NEW_COMMIT"
"$MAESTRO" affected -C "$SAMPLE" --base main --head demo/payments --no-cache --no-record
