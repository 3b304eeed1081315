import cProfile, pstats, sys, os
sys.argv = sys.argv
import bench._w as w  # runs warm loop
pr = cProfile.Profile()
pr.enable()
for _ in range(100): w.req(sys.argv[2])
pr.disable()
st = pstats.Stats(pr); st.sort_stats(os.environ.get("SORT","tottime")).print_stats(int(os.environ.get("N","35")))
