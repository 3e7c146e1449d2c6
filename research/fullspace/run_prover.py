import json, sys, time
sys.path.insert(0,str(__import__('pathlib').Path(__file__).parent))
from prover import full, fs
parts=json.load(open(__import__('pathlib').Path(__file__).with_name('parts.json')))
for k,p in enumerate(parts):
    units=[(fs(R),fs(C)) for R,C in p['units']]; V=fs(map(tuple,p['V']))
    t=time.time(); pr=full(units,V); 
    print(k, 'FULL' if pr else '-', round(time.time()-t,2), str(pr)[:150] if pr else '')
