# The book's idea (chapter 8), written for this project: threshold a picture with OpenCV,
# adaptively, in several processes, each taking whole pictures from a list.
import cv2
from multiprocessing import Pool

def process(path):
    im = cv2.imread(path)
    gray = cv2.cvtColor(im, cv2.COLOR_BGR2GRAY)
    _, global_t = cv2.threshold(gray, 127, 255, cv2.THRESH_BINARY)
    adaptive = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C,
                                     cv2.THRESH_BINARY, 11, 2)  # 11 x 11 block, C = 2
    cv2.imwrite(path.replace('.jpg', '_out.jpg'), adaptive)

if __name__ == '__main__':
    paths = [f'input/ex{i}.jpg' for i in range(400)]
    for n in range(1, 7):            # 1 to 6 processes
        with Pool(n) as pool:
            pool.map(process, paths)  # each process reads and writes its own files
