import re, json, glob, os
out=[]
for f in sorted(glob.glob('/work/shared/seeds/*.txt')):
    name=os.path.basename(f)
    doc=name[:3]
    text=open(f,encoding='utf-8').read()
    k=0
    for line in text.split('\n'):
        line=line.strip()
        line=re.sub(r'^[-•]\s*','',line); line=re.sub(r'^[a-z]\.\s+','',line); line=re.sub(r'^\d+\.\s+','',line)
        if len(line.split())<4: continue
        for s in re.split(r'(?<=[.!?])\s+(?=[A-ZÆØÅ«"])',line):
            s=s.strip()
            if len(s.split())<4: continue
            k+=1
            out.append({"id":f"seed{doc}-{k:03d}","source":name,"text":s})
json.dump(out,open('sents.json','w'),ensure_ascii=False,indent=0)
print(len(out))
for o in out: print(o['id'],'|',o['text'])
