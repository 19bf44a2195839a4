# ConvNet-3 (width 128, 28x28, GroupNorm = instance norm) training/inference img/s in PyTorch; docs/benchmarks.md.
import torch, time, torch.nn as nn
torch.manual_seed(0)
def net():
    layers=[]; c=1
    for i in range(3):
        layers += [nn.Conv2d(c,128,3,padding=1), nn.GroupNorm(128,128,affine=True), nn.ReLU(), nn.AvgPool2d(2,2)]; c=128
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(128*9,10))
for batch in (100,256):
    m=net(); opt=torch.optim.SGD(m.parameters(),lr=0.01)
    x=torch.randn(batch,1,28,28)
    for i in range(13):
        if i==3: t=time.time()
        opt.zero_grad(); l=m(x).square().mean(); l.backward(); opt.step()
    tr=10*batch/(time.time()-t)
    with torch.no_grad():
        for i in range(13):
            if i==3: t=time.time()
            m(x)
    ev=10*batch/(time.time()-t)
    print(f"torch {torch.__version__} batch {batch}: train {tr:.0f} img/s, eval {ev:.0f} img/s, threads {torch.get_num_threads()}")
