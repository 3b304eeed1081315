import os, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trainingtracker.settings")
import django
django.setup()
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client
from accounts.models import User
from io import BytesIO
from pyinstrument import Profiler
settings.ALLOWED_HOSTS=["testserver"]
c=Client(); c.force_login(User.objects.get(username=sys.argv[1]))
cookie="; ".join(f"{k}={v.value}" for k,v in c.cookies.items())
h=WSGIHandler()
def req(path):
    env={"REQUEST_METHOD":"GET","PATH_INFO":path,"SERVER_NAME":"testserver","SERVER_PORT":"443","wsgi.url_scheme":"https","HTTP_COOKIE":cookie,"HTTP_X_FORWARDED_PROTO":"https","wsgi.input":BytesIO(b""),"wsgi.errors":sys.stderr,"QUERY_STRING":"","HTTP_HOST":"testserver"}
    out=[]
    r=h(env, lambda s,hd: out.append(s))
    b=b"".join(r); r.close(); return out[0], len(b)
print(req(sys.argv[2]))
n=int(sys.argv[3]) if len(sys.argv)>3 else 50
t=time.process_time()
for _ in range(n): req(sys.argv[2])
print("CPU ms/req", 1000*(time.process_time()-t)/n)
if os.environ.get("PROFILE"):
    p=Profiler(interval=0.0002)
    with p:
        for _ in range(n): req(sys.argv[2])
    print(p.output_text(unicode=True, color=False, show_all=bool(os.environ.get("ALL"))))
