import json,sys,re
r=json.load(open(f'results/{sys.argv[1]}.json'))
pat=sys.argv[2] if len(sys.argv)>2 else ''
for f in r['testResults']:
  for t in f['assertionResults']:
    if t['status']=='failed' and re.search(pat, f['name']+' '+t['fullName']):
      m=t['failureMessages'][0]
      m=re.sub(r'\x1b\[[0-9;]*m','',m)
      print('##', t['fullName']); print('  ', m[:int(sys.argv[3]) if len(sys.argv)>3 else 400].replace('\n','\n   '))
