# /usr/bin/python3 scan.cases.py generates scan.cases.json: PyTorch 1.13 reference values for the cumsum and sort kernels.
import json, math, torch
torch.manual_seed(0)
cases = []
def enc(t):
    # JSON has no NaN or Infinity: NaN is null, ±Infinity the strings 'inf' / '-inf'
    return [None if (isinstance(v, float) and math.isnan(v)) else ('inf' if v > 0 else '-inf') if (isinstance(v, float) and math.isinf(v)) else v for v in t.flatten().tolist()]
def add(name, x):
    for ax in range(max(x.dim(), 1)):
        for flag in [False, True]:
            if x.dim() == 0:
                y = x.clone()
            elif flag:
                y = torch.flip(torch.cumsum(torch.flip(x, [ax]), ax, dtype=x.dtype), [ax])
            else:
                y = torch.cumsum(x, ax, dtype=x.dtype)
            cases.append(dict(name=f'{name} cumsum axis {ax}{" reverse" if flag else ""}', op='cumsum', shape=list(x.shape), dtype=str(x.dtype).split('.')[1], x=enc(x), axis=ax, flag=flag, values=enc(y)))
            v, i = torch.sort(x, dim=ax if x.dim() else 0, descending=flag, stable=True)
            cases.append(dict(name=f'{name} sort axis {ax}{" descending" if flag else ""}', op='sort', shape=list(x.shape), dtype=str(x.dtype).split('.')[1], x=enc(x), axis=ax, flag=flag, values=enc(v), indices=enc(i)))
nan, inf = float('nan'), float('inf')
add('scalar', torch.tensor(2.5))
add('ties and NaN', torch.tensor([2., nan, -1., 2., nan, 0., -0., -inf, inf, 2.]))
add('3-d small ints', torch.randint(-3, 4, (3, 2, 4)).float())
add('4-d', torch.randn(2, 3, 2, 3))
add('int32 with ties', torch.randint(-4, 5, (4, 6), dtype=torch.int32))
add('int32 wraps', torch.tensor([2147483647, 1, -5, 3], dtype=torch.int32))
add('NaN rows', torch.tensor([[nan, 1., nan], [3., 3., nan], [nan, nan, nan], [0., -2., 5.]]))
add('long line', torch.randint(-20, 20, (2, 300)).float())
add('empty', torch.zeros(2, 0, 3))
add('float64 accumulation', torch.tensor([1e8, 1., 1., 1., -1e8, 1.]))
json.dump(cases, open(__file__.replace('.py', '.json'), 'w'))
print(len(cases))
