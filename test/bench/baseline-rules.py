"""Offline: other drift rules on the comparisons of one `npm run bench:baseline -- --trace FILE` run: python3 test/bench/baseline-rules.py FILE."""
import json, math, statistics as st, sys
T = {1:12.706,2:4.303,3:3.182,4:2.776,5:2.571,6:2.447,7:2.365,8:2.306,9:2.262,10:2.228}
def t975(df): return T.get(df, 1.96 + 2.4/df) if df >= 1 else float('inf')
rows = [json.loads(l) for l in open(sys.argv[1] if len(sys.argv) > 1 else '/tmp/bench-trace.jsonl')]
rows = [r for r in rows if r['ratio'] and r['ci']]
slowed_keys = {'py-loop', 'c-loop'}
def tested(r): return r['phase'] == 'no change' or r['key'] in slowed_keys
def is_control(r): return r['phase'] == 'no change' or r['key'] not in slowed_keys
builds = sorted({(r['phase'], r['round']) for r in rows})
def spread(logs, rule):
    n = len(logs)
    if n < 2: return None
    c = st.median(logs)
    if rule == 'trim':
        kept = sorted(logs, key=lambda v: abs(v - c))
        if n >= 4: kept = kept[:-1]
        return st.stdev(kept), len(kept)
    if rule == 'sd': return st.stdev(logs), n
    if rule == 'mad': return 1.4826 * st.median([abs(v - c) for v in logs]), n
def decide(r, controls, rule, noise=0.05):
    own_lo = math.log(r['ratio']) - math.log(r['ci'][0]); own_hi = math.log(r['ci'][1]) - math.log(r['ratio'])
    centre = math.log(r['ratio'])
    if rule != 'raw':
        logs = [math.log(c['ratio']) for c in controls]
        if len(logs) >= 2:
            s, k = spread(logs, rule)
            extra = t975(k - 1) * s * math.sqrt(1 + math.pi / 2 / len(logs))
            centre -= st.median(logs)
            own_lo, own_hi = math.hypot(own_lo, extra), math.hypot(own_hi, extra)
    lo, hi = centre - own_lo, centre + own_hi
    sig = lo > 0 or hi < 0
    return sig and abs(math.exp(centre) - 1) > noise
for scope in ('notebook', 'build'):
    for rule in ('raw', 'trim', 'sd', 'mad'):
        ff = fn = tp = tn = 0
        for phase, rnd in builds:
            here = [r for r in rows if r['phase'] == phase and r['round'] == rnd]
            for r in here:
                if not tested(r): continue
                controls = [c for c in here if c is not r and is_control(c) and (scope == 'build' or c['notebook'] == r['notebook'])]
                flag = decide(r, controls, rule)
                if phase == 'no change': tn += 1; ff += flag
                else: tp += 1; fn += flag
        print(f'{scope:9s} {rule:5s}: false flags {ff}/{tn} ({100*ff/max(1,tn):.1f}%), slowdowns seen {fn}/{tp} ({100*fn/max(1,tp):.0f}%)')
# The raw ratios of each block, build by build
keys = sorted({(r['notebook'], r['key']) for r in rows})
for nb, key in keys:
    print(f'{nb[:8]}/{key:14s}', ' '.join(f"{r['ratio']:.3f}" for r in rows if r['notebook'] == nb and r['key'] == key))
print('--- false flags under notebook/trim')
for phase, rnd in builds:
    here = [r for r in rows if r['phase'] == phase and r['round'] == rnd]
    for r in here:
        if phase != 'no change': continue
        controls = [c for c in here if c is not r and is_control(c) and c['notebook'] == r['notebook']]
        if decide(r, controls, 'trim'): print(rnd, r['notebook'], r['key'], round(r['ratio'],3), [round(c['ratio'],3) for c in controls])
